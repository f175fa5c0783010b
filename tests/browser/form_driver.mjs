// Renders a JSON schema with JSON Editor in headless Chromium the way Keboola does, plays a list of steps on it
// and reports what a user would see. It knows nothing about this component: the pytest test decides what to check.
//
// stdin:  {"chromium": path, "jsoneditor": path to dist/jsoneditor.js, "screenshots": folder,
//          "jobs": [{"name", "schema", "startval", "steps": [step, ...]}]}, a step being one of
//          {"op": "observe", "label", "screenshot"?: file name, "light"?: true}, {"op": "set", "path", "value"}
//          (typed, clicked or picked as a person would) or {"op": "add_row", "path"} (clicks the array's add button)
// stdout: {"jobs": [{"name", "observations": [...], "page_errors": [...], "step_errors": [...]}]}
import { readFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

// Without these, Chromium running as root in a network-less sandbox hangs or phones home.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

const input = JSON.parse(readFileSync(0, 'utf8'))
mkdirSync(input.screenshots, { recursive: true })

const browser = await chromium.launch({ executablePath: input.chromium, headless: true, args: CHROMIUM_ARGS,
  timeout: 30000 })
const results = []
try {
  for (const job of input.jobs) {
    results.push(await runJob(job))
  }
} finally {
  await browser.close()
}
process.stdout.write(JSON.stringify({ jobs: results }))

async function runJob (job) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } })
  await context.route('**/*', route => route.abort()) // nothing leaves the machine
  const page = await context.newPage()
  const pageErrors = []
  page.on('pageerror', error => pageErrors.push(String(error)))
  page.on('console', message => { if (message.type() === 'error') pageErrors.push(message.text()) })
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body><div id="form"></div></body></html>')
  await page.addScriptTag({ path: input.jsoneditor })
  await page.evaluate(async ({ schema, startval }) => {
    // Keboola's settings: no "Edit JSON" and no "Properties" buttons, so a property JSON Editor drops stays gone.
    window.editor = new window.JSONEditor(document.getElementById('form'),
      { schema, startval, disable_edit_json: true, disable_properties: true })
    await new Promise(resolve => window.editor.on('ready', resolve))
  }, { schema: job.schema, startval: job.startval })
  await settle(page)

  const observations = []
  const stepErrors = []
  for (const step of job.steps) {
    try {
      if (step.op === 'observe') {
        const seen = await observe(page, Boolean(step.light))
        seen.label = step.label
        if (step.screenshot) {
          await page.screenshot({ path: join(input.screenshots, step.screenshot), fullPage: true })
        }
        observations.push(seen)
      } else if (step.op === 'set') {
        await setAsUser(page, step.path, step.value)
      } else if (step.op === 'add_row') {
        const button = await page.evaluateHandle(path => window.editor.getEditor(path).add_row_button, step.path)
        await button.asElement().click()
        await settle(page)
      } else {
        throw new Error(`unknown step ${step.op}`)
      }
    } catch (error) {
      // A step the form cannot take (a field it dropped) is a finding: report it and play the rest.
      stepErrors.push({ step, error: String(error.message || error).split('\n')[0] })
    }
  }
  await context.close()
  return { name: job.name, observations, page_errors: pageErrors, step_errors: stepErrors }
}

// Two animation frames: JSON Editor fires change events and re-evaluates dependencies on the next frame.
async function settle (page) {
  await page.evaluate(() => new Promise(resolve =>
    requestAnimationFrame(() => requestAnimationFrame(resolve))))
}

// Changes a field with the mouse and keyboard, as a person would, so JSON Editor's own listeners run.
async function setAsUser (page, path, value) {
  const handle = await page.evaluateHandle(path => {
    const field = window.editor.getEditor(path)
    if (!field) throw new Error(`no field ${path} in the form`)
    return field.input
  }, path)
  const element = handle.asElement()
  if (!element) throw new Error(`field ${path} has no input element`)
  const kind = await element.evaluate(el => el.tagName === 'INPUT' ? el.type : el.tagName.toLowerCase())
  if (kind === 'checkbox') {
    await element.setChecked(Boolean(value))
  } else if (kind === 'select') {
    await element.selectOption(Array.isArray(value) ? value.map(String) : String(value))
  } else {
    await element.fill(String(value))
    await element.evaluate(el => el.blur())
  }
  await settle(page)
}

// What a user sees: each field's visibility, title, description and options; `light` keeps only value and errors.
async function observe (page, light) {
  return page.evaluate(light => {
    const text = node => (node && node.textContent !== undefined ? node.textContent : null)
    const editors = {}
    for (const [path, field] of Object.entries(light ? {} : window.editor.editors)) {
      if (!field) continue
      const container = field.container
      const input = field.input
      let options = null
      if (input && input.tagName === 'SELECT') {
        options = Array.from(input.options).map(option => ({ value: option.value, text: option.textContent }))
      }
      editors[path] = {
        visible: Boolean(container && container.isConnected && container.checkVisibility()),
        title: text(field.label || field.header),
        description: text(field.description),
        options
      }
    }
    return { value: window.editor.getValue(), errors: window.editor.validate(), editors }
  }, light)
}
