// contracts/compile.js - compiles every contracts/*.sol with solc-js (standard JSON, offline) into OUT_DIR:
// NAME.bin (creation bytecode, hex without 0x) and NAME.abi (JSON) for each contract. Run it through build.sh.
// Usage: node contracts/compile.js SOLC_MODULE_DIR OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');

const [solcDir, outDir] = process.argv.slice(2);
if (!solcDir || !outDir) {
    console.error('usage: node contracts/compile.js SOLC_MODULE_DIR OUT_DIR');
    process.exit(2);
}
const solc = require(path.resolve(solcDir));
const here = __dirname;
const sources = {};
for (const file of fs.readdirSync(here).filter(f => f.endsWith('.sol')).sort()) {
    // The source unit name is the bare file name: the metadata hash in the bytecode then does not depend on where
    // the repository is checked out.
    sources[file] = { content: fs.readFileSync(path.join(here, file), 'utf8') };
}
const input = {
    language: 'Solidity',
    sources,
    settings: {
        optimizer: { enabled: true, runs: 200 },
        evmVersion: 'cancun', // PUSH0 and MCOPY, no newer opcodes: runs on anvil, hardhat and today's L2s
        outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter(e => e.severity === 'error');
for (const e of output.errors || []) console.error(e.formattedMessage.trim());
if (errors.length > 0) process.exit(1);
fs.mkdirSync(outDir, { recursive: true });
for (const file of Object.keys(output.contracts).sort()) {
    for (const name of Object.keys(output.contracts[file]).sort()) {
        const contract = output.contracts[file][name];
        fs.writeFileSync(path.join(outDir, name + '.bin'), contract.evm.bytecode.object + '\n');
        fs.writeFileSync(path.join(outDir, name + '.abi'), JSON.stringify(contract.abi, null, 1) + '\n');
        console.log(`${name}: ${contract.evm.bytecode.object.length / 2} bytes (solc ${solc.version()})`);
    }
}
