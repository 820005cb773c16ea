// src/main.js as the bundle runs it: Vue compiles the in-DOM template of #app (its full build's compiler).
new Vue({ el: '#app', data: { msg: 'yes' } });
