// The form harness for RJSF (React JSON Schema Form), the renderer Keboola's UI uses since March 2026: stock
// @rjsf/core with its draft-7 validator (@rjsf/validator-ajv8), no uiSchema and no custom widgets, so whatever this
// draws is what RJSF itself makes of the schema; Keboola's own wrapper adds options.dependencies, options.async,
// enum_titles, propertyOrder, tooltips and its buttons on top. form_driver.mjs bundles this file with React and
// RJSF through esbuild. Paths are JSON Editor's (`root.messages.0.since`); RJSF's element ids join the same parts
// with `_` (`root_messages_0_since`).
import React from 'react'
import { createRoot } from 'react-dom/client'
import Form from '@rjsf/core'
import validator from '@rjsf/validator-ajv8'

let form = null
let schemaInUse = null

window.harness = {
  renderer: 'rjsf',

  async start (schema, startval) {
    schemaInUse = schema
    const ref = React.createRef()
    createRoot(document.getElementById('form')).render(React.createElement(Form, {
      schema, validator, formData: startval, ref, noHtml5Validate: true
    }))
    while (!ref.current) await frame()
    form = ref.current
    await frame()
  },

  // The form's data as RJSF holds it, with the defaults it fills in for keys the configuration lacks.
  value () {
    return form.state.formData
  },

  // What Form's own validation reports for the current data (a schema RJSF cannot compile is one error too).
  errors () {
    return validator.validateFormData(form.state.formData, schemaInUse).errors.map(error => ({
      path: error.property ? `root.${error.property.replace(/^\./, '')}` : 'root',
      kind: error.name,
      message: error.stack
    }))
  },

  fields (paths) {
    const seen = {}
    for (const path of paths) {
      const element = document.getElementById(idOf(path))
      if (!element) continue
      const container = element.closest('.rjsf-field') || element
      const description = document.getElementById(`${idOf(path)}__description`)
      seen[path] = {
        visible: container.isConnected && container.checkVisibility(),
        active: true, // RJSF has no opt-in: every key it draws is part of its data
        opt_in: false,
        top: container.getBoundingClientRect().top,
        title: titleOf(element, path),
        description: description ? description.textContent : null,
        options: element.tagName === 'SELECT'
          ? Array.from(element.options).map(option => ({ value: option.value, text: option.textContent }))
          : null
      }
    }
    return seen
  },

  input (path) {
    const element = document.getElementById(idOf(path))
    if (!element) throw new Error(`no field ${path} in the form`)
    return element
  },

  optIn () {
    return null
  },

  // RJSF's option values are indices; its option labels are the enum values as text.
  choice (path, value) {
    return Array.isArray(value) ? value.map(v => ({ label: String(v) })) : { label: String(value) }
  },

  addRowButton (path) {
    const button = document.getElementById(`${idOf(path)}__add`)
    if (!button) throw new Error(`no add button for ${path}`)
    return button
  }
}

function idOf (path) {
  return path.split('.').join('_')
}

// The label, legend or checkbox caption of a field, without RJSF's required marker.
function titleOf (element, path) {
  let node = document.getElementById(`${idOf(path)}__title`)
  if (!node && element.type === 'checkbox') node = element.closest('label')
  if (!node) node = document.querySelector(`label[for="${CSS.escape(idOf(path))}"]`)
  if (!node) return null
  const copy = node.cloneNode(true)
  copy.querySelectorAll('.required').forEach(marker => marker.remove())
  return copy.textContent
}

function frame () {
  return new Promise(resolve => requestAnimationFrame(() => resolve()))
}
