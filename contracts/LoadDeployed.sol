// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title LoadDeployed: what FastLoad's `deploy` workload creates, one per tx.
/// @notice Small on purpose (a contract creation's cost is mostly its code): every instance has the same runtime
/// code, so a check can compare each created address's code with the first.
contract LoadDeployed {
    event Deployed(address indexed by);

    constructor() {
        emit Deployed(msg.sender);
    }

    function ping() external pure returns (uint256) {
        return 1;
    }
}
