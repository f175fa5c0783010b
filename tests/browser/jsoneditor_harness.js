// The form harness for JSON Editor (@json-editor/json-editor, loaded before this file): draws a schema the way
// Keboola drew it until March 2026 (no "Edit JSON" and no "Properties" buttons, so a property JSON Editor drops
// stays gone) and answers form_driver.mjs in the terms every harness shares. Paths are JSON Editor's own
// (`root.messages.0.since`).
/* global JSONEditor */
window.harness = {
  renderer: 'jsoneditor',

  async start (schema, startval) {
    window.editor = new JSONEditor(document.getElementById('form'),
      { schema, startval, disable_edit_json: true, disable_properties: true })
    await new Promise(resolve => window.editor.on('ready', resolve))
  },

  value () {
    return window.editor.getValue()
  },

  errors () {
    return window.editor.validate().map(error => ({ path: error.path, kind: error.property, message: error.message }))
  },

  // What a user sees of each field: visible, active (opted in, so its value is part of the configuration), whether
  // an opt-in checkbox is shown, where it is on the page, title, description and the options of a select.
  fields (paths) {
    const seen = {}
    for (const path of paths) {
      const field = window.editor.getEditor(path)
      if (!field) continue
      const container = field.container
      const input = field.input
      seen[path] = {
        visible: Boolean(container && container.isConnected && container.checkVisibility()),
        active: field.isActive(),
        opt_in: Boolean(field.optInAppended && field.optInCheckbox && field.optInCheckbox.checkVisibility()),
        top: container ? container.getBoundingClientRect().top : null,
        title: titleOf(field),
        description: text(field.description),
        options: input && input.tagName === 'SELECT'
          ? Array.from(input.options).map(option => ({ value: option.value, text: option.textContent }))
          : null
      }
    }
    return seen
  },

  input (path) {
    const field = window.editor.getEditor(path)
    if (!field) throw new Error(`no field ${path} in the form`)
    return field.input
  },

  // The opt-in checkbox show_opt_in puts before a field that is not required, or null.
  optIn (path) {
    const field = window.editor.getEditor(path)
    if (!field) throw new Error(`no field ${path} in the form`)
    return field.optInAppended ? field.optInCheckbox : null
  },

  // What playwright's selectOption needs to pick `value` (JSON Editor's option values are the values as text).
  choice (path, value) {
    return Array.isArray(value) ? value.map(String) : String(value)
  },

  addRowButton (path) {
    const field = window.editor.getEditor(path)
    if (!field) throw new Error(`no field ${path} in the form`)
    return field.add_row_button
  }
}

// The label or header of a field, without the caption of the opt-in checkbox show_opt_in puts inside it.
function titleOf (field) {
  const title = text(field.label || field.header)
  const optIn = field.optInAppended ? text(field.optInContainer) : null
  return title && optIn ? title.replace(optIn, '') : title
}

function text (node) {
  return node && node.textContent !== undefined ? node.textContent : null
}
