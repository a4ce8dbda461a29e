// Shows, as the teacher types, the romaji (and reading) the server would compute when
// those fields are left empty; "use it" copies the suggestion into the field.
(function () {
  const form = document.getElementById("word_form");
  if (!form) return;
  const japanese = form.querySelector("[name=japanese]");
  const kana = form.querySelector("[name=kana]");
  const romaji = form.querySelector("[name=romaji]");
  const note = document.getElementById("romaji-suggestion");
  let timer = null;

  async function suggest() {
    const query = new URLSearchParams({ japanese: japanese.value, kana: kana.value });
    const response = await fetch(form.dataset.romajiUrl + "?" + query, { credentials: "same-origin" });
    if (!response.ok) return;
    const suggestion = await response.json();
    romaji.placeholder = suggestion.romaji;
    kana.placeholder = suggestion.kana;
    note.textContent = "";
    if (suggestion.romaji && suggestion.romaji !== romaji.value) {
      note.append("Suggested: " + suggestion.romaji + " ");
      const use = document.createElement("a");
      use.href = "#";
      use.id = "use-romaji";
      use.textContent = "use it";
      use.addEventListener("click", function (event) {
        event.preventDefault();
        romaji.value = suggestion.romaji;
        note.textContent = "";
      });
      note.append(use);
    }
  }

  for (const field of [japanese, kana]) {
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 250);
    });
  }
  if (japanese.value) suggest();
})();
