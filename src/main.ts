import './ui/weightlens-app.js';
