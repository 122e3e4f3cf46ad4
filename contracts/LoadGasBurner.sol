// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title LoadGasBurner: what FastLoad's `gas:N` workload calls.
/// @notice burn(amount) spins until about `amount` gas has gone since it started: a tx's gas use is then set by its
/// calldata, with no storage touched (so it is the same on every call and every chain).
contract LoadGasBurner {
    function burn(uint256 amount) external view returns (uint256 spins) {
        uint256 start = gasleft();
        while (start - gasleft() < amount) {
            unchecked {
                spins++;
            }
        }
    }
}
