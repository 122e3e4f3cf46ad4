// The network `hardhat node` serves in FastLoad's integration tests. native/install.sh copies this file
// into native/.deps/hardhat/ beside the hardhat package; native/.deps/bin/hardhat-node runs it.
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,                              // same chain id as the tests' anvil
      hardfork: "prague",                          // EIP-7702 (type-4 txs), as anvil --hardfork prague
      mining: { auto: false, interval: 1000 },     // a block every second, as anvil --block-time 1
      // Hardhat's default mnemonic: account #0 is the anvil dev key the tests fund wallets from.
      accounts: { count: 10, accountsBalance: "1000000000000000000000000" }, // 1,000,000 ETH each
    },
  },
};
