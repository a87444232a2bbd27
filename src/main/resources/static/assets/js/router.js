// The hash router of the dashboard.
//
// Routes (the part of the URL after '#', with an optional ?query):
//   #/sign-in                  views/sign-in.js
//   #/tasks                    views/tasks.js       (?status=RUNNING&cursor=…&back=…)
//   #/tasks/{id}               views/task.js
//   #/tasks/{id}/runs/{index}  views/sweep-run.js   (one run of a parameter sweep)
//   #/workflows                views/workflows.js   (?status=FAILED&cursor=…&back=…)
//   #/workflows/{id}           views/workflow.js
// Anything else goes to #/tasks. Every route but #/sign-in needs a signed-in client; without one
// the user is sent to #/sign-in?next=<the route asked for>.
//
// The contract of a view: a module under views/ that exports
//
//   render(container, ctx, params) -> optional dispose()
//
//   container  an empty element that the view owns until it is disposed; the view fills it using
//              dom.js (never innerHTML with data) and may re-render inside it at any time.
//   ctx        {navigate(hash), route: {path, query}, setTitle(text)}: navigate('#/tasks/' + id)
//              goes to another view; setTitle sets the document's title.
//   params     the route's parameters ({id}, {id, index}) and the query's ({status, page, next}),
//              all strings, straight from the URL: encode them (api.seg) before they go into a
//              request path.
//
// render may be async (the router does not wait for it). What it answers, or resolves to, may be
// a function, dispose(): the router calls it before the next view renders — it stops the view's
// timers (poll.js answers a stop function), aborts its fetches and streams (AbortController), and
// removes listeners it put outside its container. A view that is disposed while its render is
// still awaiting something must not touch the page any more: ctx.disposed() says whether it was.

const ROUTES = [
  {pattern: /^\/sign-in$/, names: [], load: () => import('./views/sign-in.js'), open: true},
  {pattern: /^\/tasks$/, names: [], load: () => import('./views/tasks.js'), section: 'tasks'},
  {pattern: /^\/tasks\/([^/]+)$/, names: ['id'], load: () => import('./views/task.js'),
    section: 'tasks'},
  {pattern: /^\/tasks\/([^/]+)\/runs\/(\d+)$/, names: ['id', 'index'],
    load: () => import('./views/sweep-run.js'), section: 'tasks'},
  {pattern: /^\/workflows$/, names: [], load: () => import('./views/workflows.js'),
    section: 'workflows'},
  {pattern: /^\/workflows\/([^/]+)$/, names: ['id'], load: () => import('./views/workflow.js'),
    section: 'workflows'},
];

/** The route of a hash: its path and its query parameters. */
export function parseHash(hash) {
  const raw = (hash || '').replace(/^#/, '') || '/tasks';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = {};
  if (q >= 0) {
    for (const [key, value] of new URLSearchParams(raw.slice(q + 1))) query[key] = value;
  }
  return {path, query};
}

function match(path) {
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (m) {
      const params = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1]);
      });
      return {route, params};
    }
  }
  return null;
}

/**
 * Starts the router on `container`: renders the view of the current hash and of every change.
 * options: signedIn() says whether a client is signed in; onSection(section) is told which part of
 * the navigation ('tasks', 'workflows', or undefined) the view belongs to.
 */
export function startRouter(container, options) {
  let dispose = null;
  let generation = 0;

  function navigate(hash) {
    if (location.hash === hash) {
      show();
    } else {
      location.hash = hash;
    }
  }

  async function show() {
    const mine = ++generation;
    if (dispose) {
      const d = dispose;
      dispose = null;
      try {
        d();
      } catch (e) {
        console.warn('a view failed to dispose', e);
      }
    }
    const {path, query} = parseHash(location.hash);
    const found = match(path);
    if (!found) {
      navigate('#/tasks');
      return;
    }
    if (!found.route.open && !options.signedIn()) {
      navigate('#/sign-in?next=' + encodeURIComponent('#' + path + queryString(query)));
      return;
    }
    options.onSection(found.route.section);
    const view = await found.route.load();
    if (mine !== generation) return; // another navigation came first
    container.replaceChildren();
    window.scrollTo(0, 0);
    const ctx = {
      navigate,
      route: {path, query},
      setTitle: (text) => {
        document.title = text ? text + ' · batch-executor' : 'batch-executor';
      },
      disposed: () => mine !== generation,
    };
    ctx.setTitle('');
    let result;
    try {
      result = await view.render(container, ctx, Object.assign({}, query, found.params));
    } catch (e) {
      console.error('the view failed to render', e);
      return;
    }
    if (typeof result === 'function') {
      if (mine === generation) {
        dispose = result;
      } else {
        result(); // navigated away while it rendered
      }
    }
  }

  window.addEventListener('hashchange', show);
  show();
  return {navigate, refresh: show};
}

function queryString(query) {
  const q = new URLSearchParams(query).toString();
  return q ? '?' + q : '';
}
