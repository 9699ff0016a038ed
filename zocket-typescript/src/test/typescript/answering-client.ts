// Answers the acknowledged events of TypeScriptAckTest's Prompts, then calls acks.start and prints
// what the server heard. Compiled with tsc --strict against the generated contract and run under
// Node by TypeScriptAckTest; docs/typescript.md shows its regions.
import { WebSocket } from "ws";
import { createClient, ZocketError } from "zocket-java-client";
import { contract } from "./acks-contract.js";

const client = createClient(contract, process.argv[2]!, { WebSocket, reconnect: false });
// region answers
client.on.prompts.confirm(async (q) => ({ yes: true, note: `sure: ${q.text}` })); // or a promise
client.on.prompts.count(() => 3);
client.on.prompts.seen(() => {}); // an empty answer
client.on.prompts.fail((q) => {
  throw new ZocketError("NOT_NOW", `Busy with ${q.text}`); // answered with this code
});
client.on.prompts.bad(() => ({ yes: true, note: "" })); // fails the reply schema: INVALID_PAYLOAD
// endregion answers
client.onError(() => {});

export function typed(): void {
  // region typed
  // @ts-expect-error the answer must have the reply's type
  client.on.prompts.confirm(() => ({ yes: "sure", note: "x" }));
  // @ts-expect-error the answer of count is a number
  client.on.prompts.count(async () => "3");
  // @ts-expect-error the listener takes the question
  client.on.prompts.confirm((q: { other: string }) => ({ yes: true, note: q.other }));
  // endregion typed
}

await client.opened();
console.log(`RESULT ${await client.send.acks.start()}`);
client.close();
