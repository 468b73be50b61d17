() => {
  const clean = s => (s || "").replace(/\s+/g, " ").trim();
  const meta = n => (document.querySelector(`meta[name="${n}"]`) || document.querySelector(`meta[property="og:${n}"]`) || {}).content || "";
  const near = el => { const box = el.closest("section,ul,div"); const h = box && box.querySelector("h1,h2,h3");
    return clean(((box && box.className) || "") + " " + ((box && box.id) || "") + " " + (h ? h.innerText : "")); };
  return {
    title: clean(document.title), description: clean(meta("description")), lang: document.documentElement.lang || "",
    headings: [...document.querySelectorAll("h1,h2,h3")].map(h => clean(h.innerText)).filter(Boolean).slice(0, 40),
    links: [...document.querySelectorAll("a[href]")].map(a => ({href: a.href, text: clean(a.innerText).slice(0, 120)})).slice(0, 300),
    images: [...document.querySelectorAll("img[alt]")].map(i => ({alt: clean(i.alt), near: near(i).slice(0, 200)})).filter(i => i.alt).slice(0, 100),
    scripts: [...document.scripts].map(s => s.src).filter(Boolean).slice(0, 100),
    globals: ["React", "__NEXT_DATA__", "Vue", "angular", "jQuery", "Stripe", "Intercom", "HubSpotConversations",
              "Shopify", "dataLayer", "analytics", "gtag", "Webflow", "wp"].filter(k => k in window),
    text: clean(document.body ? document.body.innerText : "").slice(0, 20000),
  };
}
