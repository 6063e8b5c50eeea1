// Keyboard navigation of the catalog's main list: Up/Down (and Home/End) move between feature
// sets, Enter opens one (the links do that natively). Everything else works without this script.
const list = document.getElementById('feature-sets');
if (list) {
  const links = () => Array.from(list.querySelectorAll('a.fs-link'));
  list.addEventListener('keydown', (event) => {
    const all = links();
    const at = all.indexOf(document.activeElement);
    if (at < 0) {
      return;
    }
    let next = -1;
    if (event.key === 'ArrowDown') next = Math.min(all.length - 1, at + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, at - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = all.length - 1;
    if (next >= 0) {
      event.preventDefault();
      all[next].focus();
    }
  });
}
