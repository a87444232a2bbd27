// Starts the dashboard: the router on <main id="view">, the navigation and signing out.

import {session, setUnauthorizedHandler} from './api.js';
import {parseHash, startRouter} from './router.js';

const nav = document.getElementById('nav');
const signOut = document.getElementById('sign-out');

function showChrome(section) {
  const signedIn = session.signedIn();
  nav.hidden = !signedIn;
  signOut.hidden = !signedIn;
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.section === section) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
}

const router = startRouter(document.getElementById('view'), {
  signedIn: () => session.signedIn(),
  onSection: showChrome,
});

signOut.addEventListener('click', () => {
  session.signOut();
  router.navigate('#/sign-in');
});

// A token the service no longer takes (or another tab signed out): back to sign-in, then back here.
setUnauthorizedHandler(() => {
  const {path} = parseHash(location.hash);
  if (path !== '/sign-in') {
    router.navigate('#/sign-in?expired=1&next=' + encodeURIComponent(location.hash || '#/tasks'));
  }
});
