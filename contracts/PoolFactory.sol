// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import "./ConstantProductPool.sol";

/// Creates one pool per token pair, tokens sorted by address as in Uniswap v2, and announces it
/// with `PoolCreated`: the event the market poller discovers pools and tokens from.
contract PoolFactory {
    mapping(address => mapping(address => address)) public getPool;
    address[] public allPools;

    event PoolCreated(address indexed token0, address indexed token1, address pool, uint256 index);

    function allPoolsLength() external view returns (uint256) {
        return allPools.length;
    }

    function createPool(address tokenA, address tokenB) external returns (address pool) {
        require(tokenA != tokenB, "Factory: identical tokens");
        (address token0, address token1) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
        require(token0 != address(0), "Factory: zero address");
        require(getPool[token0][token1] == address(0), "Factory: pool exists");
        pool = address(new ConstantProductPool(token0, token1));
        getPool[token0][token1] = pool;
        getPool[token1][token0] = pool;
        allPools.push(pool);
        emit PoolCreated(token0, token1, pool, allPools.length);
    }
}
