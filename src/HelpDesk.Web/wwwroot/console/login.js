// A link to the console (#/ticket/N) followed while signed out arrives here with its fragment, which the sign-in form
// cannot carry to the server: keep it for the console to open once signed in.
if (location.hash.startsWith('#/')) sessionStorage.setItem('helpdesk.returnHash', location.hash);
