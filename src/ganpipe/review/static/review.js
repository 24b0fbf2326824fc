// The review page: one tile per image, grouped by class; a click or a key toggles rejection
// through the server, which edits reject.txt. Text from files only ever goes into textContent
// or attributes, never into HTML.
"use strict";

const tiles = new Map(); // key -> tile element
const countLines = new Map(); // class -> its heading's counts element
let state = null;

async function call(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Text with code spans: each part is a string, or [string] for code; never parsed as HTML.
function fill(node, ...parts) {
  node.replaceChildren(...parts.map((part) =>
    Array.isArray(part) ? element("code", null, part[0]) : document.createTextNode(part)));
}

function makeTile(image) {
  const tile = element("div", "tile");
  tile.tabIndex = 0;
  tile.setAttribute("role", "button");
  tile.dataset.key = image.key;
  const img = element("img");
  img.loading = "lazy";
  img.alt = image.id;
  img.src = "thumb/" + encodeURIComponent(image.key);
  tile.append(img, element("span", "id", image.id), element("span", "mark"));
  if (image.suspicion !== null) {
    // 0.50 is the suspect cut; the rank is in the whole folder, 1 = the most evidence
    const rank = image.rank === null ? "" : " #" + image.rank;
    tile.append(element("span", "score", image.suspicion.toFixed(2) + rank));
  }
  if (image.suspect) {
    tile.classList.add("suspect");
    if (image.strength === "strong") tile.classList.add("strong"); // a red badge
    tile.append(element("span", "badge", "suspect"));
    if (image.reason) tile.append(element("span", "reason", image.reason));
  }
  tile.addEventListener("click", () => toggle(tile));
  return tile;
}

function build(data) {
  const main = document.getElementById("main");
  const nav = document.getElementById("classes");
  const sections = new Map();
  data.images.forEach((image) => {
    if (!sections.has(image.class)) {
      const index = sections.size;
      const section = element("section");
      section.id = "class-" + index;
      const heading = element("h2");
      const counts = element("span", "counts");
      heading.append(element("span", "name", image.class), counts);
      countLines.set(image.class, counts);
      const grid = element("div", "grid");
      section.append(heading, grid);
      main.append(section);
      const link = element("a", null, image.class);
      link.href = "#class-" + index;
      nav.append(link);
      sections.set(image.class, grid);
    }
    const tile = makeTile(image);
    tiles.set(image.key, tile);
    sections.get(image.class).append(tile);
  });
}

function describe(image) {
  if (image.locked_by) {
    return "rejected by the line “" + image.locked_by + "” of " + state.reject_list +
      ": edit that line to keep it";
  }
  if (image.rejected) return "marked for rejection: click to keep it";
  const why = image.suspect ? " (" + (image.strength === "strong" ? "strong " : "") +
    "suspect: " + (image.reason || "ranked high") + "; suspicion " +
    image.suspicion.toFixed(2) + ", 0.50 at the cut)" : "";
  return image.class + "/" + image.id + ", " + image.size + why + ": click to reject it";
}

function paint(image) {
  const tile = tiles.get(image.key);
  if (!tile) return;
  tile.classList.toggle("rejected", image.rejected);
  tile.classList.toggle("locked", Boolean(image.locked_by));
  tile.classList.toggle("pending", image.pending);
  tile.setAttribute("aria-pressed", String(image.rejected));
  tile.querySelector(".mark").textContent = image.locked_by ? "rejected by a glob" : "rejected";
  tile.title = describe(image);
}

function plural(n, word) {
  return n + " " + word + (n === 1 ? "" : "s");
}

function summary(counts) {
  return counts.kept + " kept · " + counts.marked + " marked for rejection" +
    (counts.suspects ? " · " + plural(counts.suspects, "suspect") + " kept" : "") +
    (counts.hidden ? " · " + counts.hidden + " more not shown (filter.review_per_class)" : "");
}

function update(data) {
  state = data;
  data.images.forEach(paint);
  Object.entries(data.counts).forEach(([name, counts]) => {
    const line = countLines.get(name);
    if (line) line.textContent = summary(counts);
  });
  const total = data.total;
  const shown = plural(total.kept + total.marked, "image") + " on this page";
  const totals = document.getElementById("totals");
  totals.textContent = "All classes: " + summary(total) + " (" + shown + ")";
  const banner = document.getElementById("banner");
  banner.classList.toggle("pending", total.pending > 0);
  const rerun = " (only filter and the stages after it re-run).";
  if (total.pending) {
    fill(banner, plural(total.pending, "change") + " to ", [data.reject_list],
      " not applied yet: run ", ["dvc repro"], rerun);
  } else {
    fill(banner, [data.reject_list], " matches the last filter run. What you mark here is " +
      "saved to it at once; then run ", ["dvc repro"], rerun);
  }
  const note = document.getElementById("note");
  note.hidden = data.suspects_ranked;
  fill(note, "No suspect ranking yet: images are sorted by id. Suspects appear (most " +
    "suspicious first, marked) after ", ["dvc repro"], " runs the curate stage with ",
    ["curate.enabled: true"], " in params.yaml.");
  document.getElementById("undo").disabled = data.undo === 0;
}

function say(text) {
  document.getElementById("message").textContent = text;
}

// Responses can arrive out of order (a refresh on window focus races the click that gave the
// focus): apply a state only if no later request's state has been applied already.
let issued = 0;
let applied = 0;

async function fetchState(method, path, body) {
  const mine = ++issued;
  const data = await call(method, path, body);
  if (mine > applied) {
    applied = mine;
    update(data);
  }
}

async function act(path, body) {
  try {
    await fetchState("POST", path, body);
    say("");
  } catch (error) {
    say(error.message);
  }
}

function toggle(tile) {
  tile.focus();
  return act("api/toggle", { key: tile.dataset.key });
}

function undo() {
  return act("api/undo", {});
}

function ordered() {
  return Array.from(document.querySelectorAll(".tile"));
}

function focusTile(tile) {
  if (!tile) return;
  tile.focus();
  tile.scrollIntoView({ block: "nearest" });
}

// The tile in the next (step 1) or previous (step -1) row nearest in x, across classes too.
function vertical(all, index, step) {
  const from = all[index].getBoundingClientRect();
  let row = null;
  let best = null;
  for (let k = index + step; k >= 0 && k < all.length; k += step) {
    const box = all[k].getBoundingClientRect();
    if (row === null && Math.abs(box.top - from.top) > 2) row = box.top;
    if (row === null) continue;
    if (Math.abs(box.top - row) > 2) break;
    if (best === null || Math.abs(box.left - from.left) < best.distance) {
      best = { tile: all[k], distance: Math.abs(box.left - from.left) };
    }
  }
  return best && best.tile;
}

const MOVES = { ArrowRight: 1, j: 1, ArrowLeft: -1, k: -1 };

function onKey(event) {
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const undoKey = key === "u" || ((event.ctrlKey || event.metaKey) && key === "z");
  if (undoKey) {
    event.preventDefault();
    undo();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const all = ordered();
  const index = all.indexOf(document.activeElement);
  if (key in MOVES || key === "ArrowDown" || key === "ArrowUp") {
    event.preventDefault();
    if (index < 0) return focusTile(all[0]);
    if (key in MOVES) return focusTile(all[index + MOVES[key]]);
    return focusTile(vertical(all, index, key === "ArrowDown" ? 1 : -1));
  }
  if ((key === "x" || key === " " || key === "Enter") && index >= 0) {
    event.preventDefault();
    toggle(all[index]);
  }
}

async function start() {
  try {
    const data = await call("GET", "api/state");
    build(data);
    if (applied === 0) update(data);
  } catch (error) {
    say("Could not load the images: " + error.message);
  }
  document.addEventListener("keydown", onKey);
  document.getElementById("undo").addEventListener("click", undo);
  // reject.txt may have been edited in another window meanwhile: show it as it is now.
  window.addEventListener("focus", async () => {
    if (!state) return;
    try {
      await fetchState("GET", "api/state");
    } catch (error) {
      say("Could not refresh: " + error.message);
    }
  });
}

start();
