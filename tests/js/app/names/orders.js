import { handlers } from "./handlers.js";

export default function handleOrder(kind, request) {
  const handler = handlers[kind];
  return handler(request); // frame:default:handleOrder
}
