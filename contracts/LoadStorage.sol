// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title LoadStorage: what FastLoad's `storage:N` workload calls.
/// @notice write(base, count) sets slots[base] .. slots[base + count - 1] to 1 .. count. FastLoad gives every tx its
/// own base (from its sender and nonce), so each call writes `count` new slots.
contract LoadStorage {
    mapping(uint256 => uint256) public slots;

    function write(uint256 base, uint256 count) external {
        for (uint256 i = 0; i < count; i++) {
            slots[base + i] = i + 1;
        }
    }
}
