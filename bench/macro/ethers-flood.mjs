// ethers-flood.mjs: what a JS user would write to flood a node with ETH transfers using ethers 6, for the macro
// benchmark (bench/macro/run.sh) to compare FastLoad with. It does what `fastload run --max --count N` does:
// derive wallets, fund them from one funder, sign every tx ahead (presign), then send JSON-RPC batches of
// eth_sendRawTransaction with a fixed number of batches in flight, and watch blocks until every accepted tx is in one.
//
//   node bench/macro/ethers-flood.mjs --rpc URL --count N [--wallets W] [--batch 100] [--concurrency 8]
//   (funder key from FASTLOAD_FUNDER_KEY; ethers is resolved from native/.deps/ethers: native/install.sh --with-ethers)
//
// Prints one JSON line: sent, accepted, errors, included, presign/flood/inclusion times and rates.
// Written the way a careful user would: presigned raw txs, provider.send with ethers' own JSON-RPC batching
// (batchMaxCount = --batch), keep-alive sockets, no per-tx parsing (broadcastTransaction would re-parse and recover
// every tx), a static network (no chain-id probe per call).
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../native/.deps/ethers/package.json"));
let ethers;
try {
  ethers = require("ethers");
} catch {
  console.error("ethers-flood: ethers not found in native/.deps/ethers; run native/install.sh --with-ethers");
  process.exit(3);
}
const { JsonRpcProvider, Network, Wallet, keccak256, toUtf8Bytes } = ethers;

function parseArgs(argv) {
  const opts = { rpc: "", count: 0, wallets: 500, batch: 100, concurrency: 8 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, ""), value = argv[i + 1];
    if (!(name in opts) || value === undefined) {
      console.error(`ethers-flood: unknown or incomplete option '${argv[i]}' (--rpc URL --count N [--wallets W] [--batch B] [--concurrency C])`);
      process.exit(2);
    }
    opts[name] = name === "rpc" ? value : Number(value);
  }
  if (!opts.rpc || !(opts.count > 0) || !(opts.wallets > 0) || !(opts.batch > 0) || !(opts.concurrency > 0)) {
    console.error("ethers-flood: --rpc URL and a positive --count are required");
    process.exit(2);
  }
  return opts;
}

const now = () => performance.now() / 1000;
const opts = parseArgs(process.argv.slice(2));
const funderKey = process.env.FASTLOAD_FUNDER_KEY;
if (!funderKey) {
  console.error("ethers-flood: set FASTLOAD_FUNDER_KEY to the funder's private key");
  process.exit(2);
}

// One provider for everything; ethers batches the calls made in the same tick, up to batchMaxCount per request.
const setupProvider = new JsonRpcProvider(opts.rpc);
const chainId = (await setupProvider.getNetwork()).chainId;
setupProvider.destroy();
const provider = new JsonRpcProvider(opts.rpc, Network.from(chainId), {
  staticNetwork: true, batchMaxCount: opts.batch, batchStallTime: 0, cacheTimeout: -1,
});

const funder = new Wallet(funderKey);
const wallets = [];
for (let i = 0; i < opts.wallets; i++) wallets.push(new Wallet(keccak256(toUtf8Bytes(`ethers-flood/${i}`))));
const fee = await provider.getFeeData();
const maxPriorityFeePerGas = fee.maxPriorityFeePerGas ?? 1_000_000_000n;
const maxFeePerGas = 2n * (fee.maxFeePerGas ?? 2_000_000_000n) + maxPriorityFeePerGas;
const perWallet = Math.ceil(opts.count / opts.wallets);
const recipient = "0x000000000000000000000000000000000000dEaD";

// Sends raw txs in batches of opts.batch, opts.concurrency batches in flight; returns the accepted hashes.
async function flood(raws) {
  const accepted = [];
  let errors = 0, next = 0, firstError = "";
  async function worker() {
    while (next < raws.length) {
      const chunk = raws.slice(next, next + opts.batch);
      next += chunk.length;
      const results = await Promise.allSettled(chunk.map((raw) => provider.send("eth_sendRawTransaction", [raw])));
      for (const r of results) {
        if (r.status === "fulfilled") accepted.push(r.value);
        else { errors++; firstError ||= String(r.reason?.shortMessage ?? r.reason); }
      }
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { accepted, errors, firstError };
}

// Polls for new blocks until every hash is in one (or nothing new is included for 30 s); returns when the last was seen.
async function watchInclusion(hashes, fromBlock) {
  const waiting = new Set(hashes);
  let block = fromBlock, lastSeen = now(), lastProgress = now();
  while (waiting.size > 0 && now() - lastProgress < 30) {
    const head = await provider.getBlockNumber();
    for (; block <= head; block++) {
      const b = await provider.getBlock(block);
      let found = 0;
      for (const h of b.transactions) if (waiting.delete(h)) found++;
      if (found > 0) { lastSeen = now(); lastProgress = lastSeen; }
    }
    if (waiting.size > 0) await new Promise((r) => setTimeout(r, 100));
  }
  return { included: hashes.length - waiting.size, lastSeen };
}

// Funding: one transfer per wallet from the funder, presigned and batched like the flood, then wait for them.
const started = now();
const funderNonce = await provider.getTransactionCount(funder.address, "pending");
const fundValue = BigInt(perWallet) * (21_000n * maxFeePerGas + 1n);
const fundRaws = await Promise.all(wallets.map((w, i) => funder.signTransaction({
  type: 2, chainId, nonce: funderNonce + i, to: w.address, value: fundValue, gasLimit: 21_000, maxFeePerGas, maxPriorityFeePerGas,
})));
const fundBlock = await provider.getBlockNumber();
const funding = await flood(fundRaws);
if (funding.errors > 0) {
  console.error(`ethers-flood: ${funding.errors} funding txs refused (first: ${funding.firstError})`);
  process.exit(1);
}
await watchInclusion(funding.accepted, fundBlock);
const funded = now();

// Presign: wallet by wallet in turn (round robin), nonces from 0.
const raws = new Array(opts.count);
const nonces = new Array(opts.wallets).fill(0);
for (let i = 0; i < opts.count; i++) {
  const w = i % opts.wallets;
  raws[i] = await wallets[w].signTransaction({
    type: 2, chainId, nonce: nonces[w]++, to: recipient, value: 1n, gasLimit: 21_000, maxFeePerGas, maxPriorityFeePerGas,
  });
}
const signed = now();

// Flood, then watch the blocks made since it began until every accepted tx is in one.
const floodBlock = await provider.getBlockNumber();
const floodStart = now();
const result = await flood(raws);
const floodEnd = now();
const inclusion = await watchInclusion(result.accepted, floodBlock + 1);
provider.destroy();

const floodSeconds = floodEnd - floodStart;
const inclusionSeconds = inclusion.lastSeen - floodStart;
console.log(JSON.stringify({
  tool: `ethers ${ethers.version}`, sent: raws.length, accepted: result.accepted.length, errors: result.errors,
  first_error: result.firstError || undefined, included: inclusion.included,
  setup_s: funded - started, presign_s: signed - funded, presign_rate: opts.count / (signed - funded),
  flood_s: floodSeconds, accepted_rate: result.accepted.length / floodSeconds,
  inclusion_s: inclusionSeconds, included_rate: inclusion.included / inclusionSeconds,
}));
