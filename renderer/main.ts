import { createPinia } from 'pinia'
import { createApp } from 'vue'
import AppShell from './AppShell.vue'
import './styles.css'

const app = createApp(AppShell)
app.use(createPinia())
app.mount('#app')
