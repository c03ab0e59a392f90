// The host page's own script: a live log of the widgets' booking:* events.
for (const name of ['ready', 'slots-loaded', 'slot-selected', 'submitted', 'created', 'failed']) {
  document.addEventListener(`booking:${name}`, (event) => {
    const item = document.createElement('li');
    item.textContent = `${event.target.id}: ${event.type} ${JSON.stringify(event.detail).slice(0, 160)}`;
    document.getElementById('log').prepend(item);
  });
}
