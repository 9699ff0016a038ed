// The README's TypeScript hello world, compiled (tsc --strict) and run under Node against the hello
// world's own handler by HelloWorldTypeScriptTest; the README includes the region below.
// region hello
import { WebSocket } from "ws"; // Node 20 only: browsers and Node 22+ have a global WebSocket
import { createClient } from "zocket-java-client";
import { contract } from "./generated/hello.js"; // generated from Greeter and GreeterEvents

const client = createClient(contract, "ws://localhost:3000/", { WebSocket });
const event = new Promise<string>((resolve) =>
  client.on.greeter.onGreeted((greeting) => resolve(`event: ${greeting.text}`)),
);
await client.opened(); // a send before the connection opens fails (DISCONNECTED)
const reply = await client.send.greeter.greet({ name: "Ada" }); // a call: a typed Promise
console.log(`reply: ${reply.text}`); // reply: Hello, Ada!
console.log(await event); // event: Hello, Ada!
client.close();
// endregion hello
