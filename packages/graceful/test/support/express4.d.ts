// express4 is the root's npm alias of express@4; its API is what @types/express describes for our use.
declare module 'express4' {
  import express from 'express';
  export default express;
}
