declare module 'jstat' {
  const jStat: unknown;
  export default jStat;
}
