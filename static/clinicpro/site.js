// Small page behaviours, kept out of the HTML so the Content-Security-Policy can forbid inline scripts.
document.addEventListener("focusin", (event) => {
  // Read-only addresses (calendar feeds) are selected whole, ready to copy.
  if (event.target.matches("[data-select-on-focus]")) event.target.select();
});
