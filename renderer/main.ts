import { createPinia } from 'pinia'
import { createApp } from 'vue'
import AppShell from './AppShell.vue'
import { useLabStore } from './stores/lab'
import './styles.css'

const app = createApp(AppShell)
app.use(createPinia())
// The engine's socket opens before the first render, so its handshake runs while the shell mounts.
useLabStore().connect()
app.mount('#app')
