// Draws JSON schemas in headless Chromium with a form renderer, plays a list of steps on each form as a person would
// and reports what the person would see. It knows nothing about this component: the pytest side decides what to
// draw and what to check. Each renderer has a harness (jsoneditor_harness.js, rjsf_harness.js) that answers in the
// same terms; the RJSF harness is bundled here with React and RJSF by esbuild, from node_modules, at every run.
//
// stdin:  {"chromium": path, "screenshots": folder, "jsoneditor": path to dist/jsoneditor.js,
//          "jobs": [{"name", "renderer": "jsoneditor" | "rjsf", "schema", "startval", "paths": [field path, ...],
//                    "steps": [step, ...]}]}, a step being one of
//          {"op": "observe", "label", "screenshot"?: file name, "light"?: true},
//          {"op": "set", "path", "value"} (opts the field in first where the renderer asks for it),
//          {"op": "restore", "path", "value", "absent"} (back to what was loaded: opted out again if it was absent),
//          {"op": "add_row", "path"} (opts the array in where asked, then clicks its add button)
// stdout: {"jobs": [{"name", "renderer", "observations": [...], "page_errors": [...], "page_warnings": [...],
//                    "step_errors": [...]}]}
import { readFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'

const HERE = dirname(fileURLToPath(import.meta.url))
// Without these, Chromium running as root in a network-less sandbox hangs or phones home.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

const PAGE = '<!doctype html><html><head><meta charset="utf-8"></head><body><div id="form"></div></body></html>'

const input = JSON.parse(readFileSync(0, 'utf8'))
mkdirSync(input.screenshots, { recursive: true })
const scripts = await rendererScripts(new Set(input.jobs.map(job => job.renderer)))

const browser = await chromium.launch({ executablePath: input.chromium, headless: true, args: CHROMIUM_ARGS,
  timeout: 30000 })
// A few pages at a time, longest jobs first: most of a job is waiting for animation frames, which pages can do side
// by side. Results keep the order of the jobs.
const CONCURRENT_PAGES = 3
const results = new Array(input.jobs.length)
const length = index => input.jobs[index].steps.length
const queue = input.jobs.map((job, index) => index).sort((a, b) => length(b) - length(a))
try {
  await Promise.all(Array.from({ length: CONCURRENT_PAGES }, async () => {
    while (queue.length) {
      const index = queue.shift()
      results[index] = await runJob(input.jobs[index])
    }
  }))
} finally {
  await browser.close()
}
process.stdout.write(JSON.stringify({ jobs: results }))

// The scripts each renderer's page loads, in order.
async function rendererScripts (renderers) {
  const loaded = {}
  if (renderers.has('jsoneditor')) {
    loaded.jsoneditor = [readFileSync(input.jsoneditor, 'utf8'),
      readFileSync(join(HERE, 'jsoneditor_harness.js'), 'utf8')]
  }
  if (renderers.has('rjsf')) {
    const bundle = await build({ entryPoints: [join(HERE, 'rjsf_harness.js')], bundle: true, write: false,
      format: 'iife', define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'error' })
    loaded.rjsf = [bundle.outputFiles[0].text]
  }
  return loaded
}

async function runJob (job) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } })
  await context.route('**/*', route => route.abort()) // nothing leaves the machine
  const page = await context.newPage()
  page.setDefaultTimeout(5000) // a step the form cannot take fails fast instead of hanging the run
  const pageErrors = []
  const pageWarnings = []
  page.on('pageerror', error => pageErrors.push(String(error)))
  page.on('console', message => {
    if (message.type() === 'error') pageErrors.push(message.text())
    if (message.type() === 'warning') pageWarnings.push(message.text())
  })
  await page.setContent(PAGE)
  for (const content of scripts[job.renderer]) await page.addScriptTag({ content })
  await page.evaluate(({ schema, startval }) => window.harness.start(schema, startval),
    { schema: job.schema, startval: job.startval })
  await settle(page)

  const observations = []
  const stepErrors = []
  for (const step of job.steps) {
    try {
      if (step.op === 'observe') {
        const seen = await observe(page, job.paths, Boolean(step.light))
        seen.label = step.label
        if (step.screenshot) {
          await page.screenshot({ path: join(input.screenshots, step.screenshot), fullPage: true })
        }
        observations.push(seen)
      } else if (step.op === 'set') {
        await optIn(page, step.path, true)
        await setAsUser(page, step.path, step.value)
      } else if (step.op === 'restore') {
        if (step.absent && await optIn(page, step.path, false)) continue
        await setAsUser(page, step.path, step.value)
      } else if (step.op === 'add_row') {
        await optIn(page, step.path, true)
        const button = await page.evaluateHandle(path => window.harness.addRowButton(path), step.path)
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
  return { name: job.name, renderer: job.renderer, observations, page_errors: pageErrors,
    page_warnings: pageWarnings, step_errors: stepErrors }
}

// Two animation frames: JSON Editor and React both apply a change and re-evaluate on the next frame.
async function settle (page) {
  await page.evaluate(() => new Promise(resolve =>
    requestAnimationFrame(() => requestAnimationFrame(resolve))))
}

// Ticks (or unticks) the field's opt-in checkbox as a person would; false when the renderer shows none.
async function optIn (page, path, on) {
  const handle = await page.evaluateHandle(path => window.harness.optIn(path), path)
  const box = handle.asElement()
  if (!box) return false
  if (await box.isChecked() !== on) {
    await box.setChecked(on)
    await settle(page)
  }
  return true
}

// Changes a field with the mouse and keyboard, as a person would, so the renderer's own listeners run.
async function setAsUser (page, path, value) {
  const element = (await page.evaluateHandle(path => window.harness.input(path), path)).asElement()
  if (!element) throw new Error(`field ${path} has no input element`)
  const kind = await element.evaluate(el => el.tagName === 'INPUT' ? el.type : el.tagName.toLowerCase())
  if (kind === 'checkbox') {
    await element.setChecked(Boolean(value))
  } else if (kind === 'select') {
    await element.selectOption(await page.evaluate(({ path, value }) => window.harness.choice(path, value),
      { path, value }))
  } else {
    await element.fill(String(value))
    await element.evaluate(el => el.blur())
  }
  await settle(page)
}

// What a user sees; `light` keeps only the value and the errors.
async function observe (page, paths, light) {
  return page.evaluate(({ paths, light }) => ({
    value: window.harness.value(),
    errors: window.harness.errors(),
    editors: light ? {} : window.harness.fields(paths)
  }), { paths, light })
}
