// The next free slot, read fresh: cached pages carry only the value from when they were rendered
// (offers/availability_views.py). One request per offer, however often the page shows it.
(() => {
  const regionsByUrl = new Map();
  document.querySelectorAll("[data-availability-url]:not([data-ready])").forEach((region) => {
    region.setAttribute("data-ready", "");
    const url = region.getAttribute("data-availability-url");
    if (!regionsByUrl.has(url)) regionsByUrl.set(url, []);
    regionsByUrl.get(url).push(region);
  });

  regionsByUrl.forEach((regions, url) => {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((current) => {
        regions.forEach((region) => {
          // Unchanged: only the link goes (removals are not announced), so screen readers stay quiet.
          if (region.getAttribute("data-availability-message") === current.message) {
            region.querySelectorAll(".offer-availability__check").forEach((link) => link.remove());
          } else {
            region.textContent = current.message;
          }
        });
        // The buy form checks again on submit; this only spares a click on a sold-out day.
        document.querySelectorAll("[data-availability-buy]").forEach((button) => {
          if (button.getAttribute("data-availability-buy") === url) button.hidden = !current.can_buy;
        });
      })
      .catch(() => { /* keep the rendered value and its link */ });
  });
})();
