// The bundler (Vite, in every build and in vitest) turns `import text from './x.py?raw'` into the file's text.
declare module '*.py?raw' {
  const text: string
  export default text
}
