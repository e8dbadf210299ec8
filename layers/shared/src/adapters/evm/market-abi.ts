/** The event and view fragments of the reference market contracts (contracts/PoolFactory.sol, ConstantProductPool.sol, MarketToken.sol). */
export const MARKET_EVENTS_ABI = [
  'event PoolCreated(address indexed token0, address indexed token1, address pool, uint256 index)',
  'event Mint(address indexed sender, uint256 amount0, uint256 amount1, address indexed to, uint256 shares)',
  'event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to, uint256 shares)',
  'event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to)',
  'event Sync(uint112 reserve0, uint112 reserve1)',
] as const;

export const POOL_VIEW_ABI = [
  'function getReserves() view returns (uint112, uint112, uint32)',
  'function price0CumulativeLast() view returns (uint256)',
  'function price1CumulativeLast() view returns (uint256)',
  'function token0() view returns (address)',
  'function token1() view returns (address)',
] as const;

export const TOKEN_ABI = [
  'function name() view returns (string)',
  'function symbol() view returns (string)',
  'function decimals() view returns (uint8)',
  'function balanceOf(address) view returns (uint256)',
  'function approve(address, uint256) returns (bool)',
  'function mint(address, uint256)',
  'function mintForClaim(bytes32, address, uint256)',
  'function claimMinted(bytes32) view returns (bool)',
  'function setMinter(address, bool)',
] as const;
