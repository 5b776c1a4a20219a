'use strict';
// ?server= passes through to both chats (the API server, when it is on another origin).
const server = new URLSearchParams(location.search).get('server') || undefined;
const chats = {
  left: imchat.mount(document.getElementById('left'), { server, theme: 'dark', title: 'Support chat' }),
  right: imchat.mount(document.getElementById('right'), { server, theme: 'light', title: 'Sales chat' }),
};
for (const [name, chat] of Object.entries(chats)) {
  const log = document.getElementById(`${name}-log`);
  const write = (text) => {
    const line = document.createElement('div');
    line.textContent = text;
    log.prepend(line);
  };
  chat.on('ready', (e) => write(`ready (user ${e.user})`));
  chat.on('message', (e) => write(`message from ${e.message.role}: ${e.message.content.slice(0, 60)}`));
  chat.on('unread', (e) => write(`unread: ${e.count}`));
  chat.on('error', (e) => write(`error: ${e.message}`));
}
for (const form of document.querySelectorAll('form[data-chat]')) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const input = form.querySelector('input');
    if (input.value.trim()) chats[form.dataset.chat].send(input.value);
    input.value = '';
  });
}
