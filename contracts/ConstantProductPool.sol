// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IMarketToken {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
}

/// Constant-product pool after Uniswap v2's pair: uint112 reserves, a 0.3 % swap fee, and the
/// cumulative prices `price0CumulativeLast` / `price1CumulativeLast` as UQ112x112 fixed point,
/// advanced by the reserves before the first trade of each block (which is what makes a TWAP
/// read from them costly to manipulate). Liquidity shares are kept in a mapping, not an ERC-20.
contract ConstantProductPool {
    uint256 private constant Q112 = 2 ** 112;

    address public immutable factory;
    address public immutable token0;
    address public immutable token1;

    uint112 private reserve0;
    uint112 private reserve1;
    uint32 private blockTimestampLast;

    uint256 public price0CumulativeLast;
    uint256 public price1CumulativeLast;

    uint256 public totalShares;
    mapping(address => uint256) public sharesOf;

    uint256 private unlocked = 1;

    event Mint(address indexed sender, uint256 amount0, uint256 amount1, address indexed to, uint256 shares);
    event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to, uint256 shares);
    event Swap(
        address indexed sender,
        uint256 amount0In,
        uint256 amount1In,
        uint256 amount0Out,
        uint256 amount1Out,
        address indexed to
    );
    event Sync(uint112 reserve0, uint112 reserve1);

    modifier lock() {
        require(unlocked == 1, "Pool: locked");
        unlocked = 0;
        _;
        unlocked = 1;
    }

    constructor(address token0_, address token1_) {
        factory = msg.sender;
        token0 = token0_;
        token1 = token1_;
    }

    function getReserves() public view returns (uint112, uint112, uint32) {
        return (reserve0, reserve1, blockTimestampLast);
    }

    function addLiquidity(uint256 amount0, uint256 amount1, address to) external lock returns (uint256 shares) {
        (uint112 r0, uint112 r1, ) = getReserves();
        IMarketToken(token0).transferFrom(msg.sender, address(this), amount0);
        IMarketToken(token1).transferFrom(msg.sender, address(this), amount1);
        if (totalShares == 0) {
            shares = _sqrt(amount0 * amount1);
        } else {
            uint256 s0 = (amount0 * totalShares) / r0;
            uint256 s1 = (amount1 * totalShares) / r1;
            shares = s0 < s1 ? s0 : s1;
        }
        require(shares > 0, "Pool: insufficient liquidity minted");
        totalShares += shares;
        sharesOf[to] += shares;
        _update(r0, r1);
        emit Mint(msg.sender, amount0, amount1, to, shares);
    }

    function removeLiquidity(uint256 shares, address to) external lock returns (uint256 amount0, uint256 amount1) {
        (uint112 r0, uint112 r1, ) = getReserves();
        require(shares > 0 && sharesOf[msg.sender] >= shares, "Pool: insufficient shares");
        amount0 = (shares * r0) / totalShares;
        amount1 = (shares * r1) / totalShares;
        sharesOf[msg.sender] -= shares;
        totalShares -= shares;
        IMarketToken(token0).transfer(to, amount0);
        IMarketToken(token1).transfer(to, amount1);
        _update(r0, r1);
        emit Burn(msg.sender, amount0, amount1, to, shares);
    }

    /// Sells exactly `amountIn` of `tokenIn` for at least `minOut` of the other token.
    function swapExactIn(address tokenIn, uint256 amountIn, uint256 minOut, address to)
        external
        lock
        returns (uint256 amountOut)
    {
        require(tokenIn == token0 || tokenIn == token1, "Pool: unknown token");
        require(amountIn > 0, "Pool: zero input");
        (uint112 r0, uint112 r1, ) = getReserves();
        bool zeroForOne = tokenIn == token0;
        (uint256 reserveIn, uint256 reserveOut) = zeroForOne ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
        uint256 inWithFee = amountIn * 997;
        amountOut = (inWithFee * reserveOut) / (reserveIn * 1000 + inWithFee);
        require(amountOut > 0 && amountOut >= minOut, "Pool: insufficient output");
        IMarketToken(tokenIn).transferFrom(msg.sender, address(this), amountIn);
        IMarketToken(zeroForOne ? token1 : token0).transfer(to, amountOut);
        _update(r0, r1);
        if (zeroForOne) emit Swap(msg.sender, amountIn, 0, 0, amountOut, to);
        else emit Swap(msg.sender, 0, amountIn, amountOut, 0, to);
    }

    /// Accrues the cumulative prices with the reserves that held since the last update, then
    /// stores the balances as the new reserves (Uniswap v2 `_update`).
    function _update(uint112 r0, uint112 r1) private {
        uint256 balance0 = IMarketToken(token0).balanceOf(address(this));
        uint256 balance1 = IMarketToken(token1).balanceOf(address(this));
        require(balance0 <= type(uint112).max && balance1 <= type(uint112).max, "Pool: overflow");
        uint32 blockTimestamp = uint32(block.timestamp % 2 ** 32);
        unchecked {
            // Overflow is intended: readers take differences of cumulative values modulo 2**256.
            uint32 timeElapsed = blockTimestamp - blockTimestampLast;
            if (timeElapsed > 0 && r0 != 0 && r1 != 0) {
                price0CumulativeLast += ((uint256(r1) * Q112) / r0) * timeElapsed;
                price1CumulativeLast += ((uint256(r0) * Q112) / r1) * timeElapsed;
            }
        }
        reserve0 = uint112(balance0);
        reserve1 = uint112(balance1);
        blockTimestampLast = blockTimestamp;
        emit Sync(reserve0, reserve1);
    }

    function _sqrt(uint256 y) private pure returns (uint256 z) {
        if (y > 3) {
            z = y;
            uint256 x = y / 2 + 1;
            while (x < z) {
                z = x;
                x = (y / x + x) / 2;
            }
        } else if (y != 0) {
            z = 1;
        }
    }
}
