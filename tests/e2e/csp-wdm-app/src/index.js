import { greet } from './greet';

document.getElementById('bundle').textContent = greet();
