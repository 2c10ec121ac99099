// "Vraag stellen": while the question is written, Oogst ticks the themes it is about (never
// one whose box the asker changed) and lists practices and earlier questions that may
// already help. Without JavaScript the form works just the same.
(function () {
  'use strict';
  var question = document.getElementById('question');
  var context = document.getElementById('context');
  var section = document.getElementById('hints');
  if (!question || !section || !window.fetch) return;
  var themesNote = document.getElementById('hints-themes');
  var list = document.getElementById('hints-list');
  var touched = {};
  var ticked = {};
  var last = '';
  var timer = null;

  Array.prototype.forEach.call(document.querySelectorAll('input[name=themes]'), function (box) {
    box.addEventListener('change', function () { touched[box.value] = true; });
  });

  function text() {
    return (question.value + '\n' + (context ? context.value : '')).trim();
  }

  function tick(themes) {
    var wanted = {};
    themes.forEach(function (theme) { wanted[theme.slug] = true; });
    Object.keys(ticked).forEach(function (slug) {
      var box = document.getElementById('theme-' + slug);
      if (!wanted[slug] && !touched[slug] && box) { box.checked = false; delete ticked[slug]; }
    });
    themes.forEach(function (theme) {
      var box = document.getElementById('theme-' + theme.slug);
      if (box && !touched[theme.slug] && !box.checked) { box.checked = true; ticked[theme.slug] = true; }
    });
    var names = themes.filter(function (theme) { return ticked[theme.slug]; }).map(function (theme) { return theme.name; });
    themesNote.textContent = names.length
      ? 'Oogst vinkte het thema ' + names.join(', ') + ' aan bij uw vraag; pas de thema\u2019s gerust aan.'
      : '';
    themesNote.hidden = names.length === 0;
  }

  function show(hints) {
    list.textContent = '';
    hints.practices.map(function (found) { return [found, 'Praktijk']; })
      .concat(hints.questions.map(function (found) { return [found, 'Eerder gesteld']; }))
      .forEach(function (pair) {
        var item = document.createElement('li');
        var link = document.createElement('a');
        link.href = pair[0].url;
        link.target = '_blank';
        link.rel = 'noopener';
        link.textContent = pair[0].title;
        var note = document.createElement('span');
        note.className = 'muted';
        note.textContent = ' (' + pair[1].toLowerCase() + ', opent in een nieuw tabblad)';
        item.appendChild(link);
        item.appendChild(note);
        list.appendChild(item);
      });
    section.hidden = list.children.length === 0 && themesNote.hidden;
  }

  function update() {
    var now = text();
    if (now === last || now.length < 20) return;
    last = now;
    fetch('/api/v1/questions/hints?text=' + encodeURIComponent(now.slice(0, 2000)))
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (hints) {
        if (!hints || now !== last) return;
        tick(hints.themes);
        show(hints);
      })
      .catch(function () { /* hints are a help, not a need */ });
  }

  [question, context].forEach(function (field) {
    if (field) field.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(update, 600); });
  });
})();
