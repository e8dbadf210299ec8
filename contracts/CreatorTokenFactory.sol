// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface ICreatorMetricsManager {
    function meetsLaunchRequirements(address creator) external view returns (bool);
}

/// A minimal ERC-20 (EIP-20): fixed supply minted once to the creator, 18 decimals.
contract CreatorCoin {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    address public immutable creator;
    address public immutable factory;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint256 initialSupply, address creator_) {
        name = name_;
        symbol = symbol_;
        creator = creator_;
        factory = msg.sender;
        totalSupply = initialSupply;
        balanceOf[creator_] = initialSupply;
        emit Transfer(address(0), creator_, initialSupply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= value, "CreatorCoin: insufficient allowance");
            allowance[from][msg.sender] = allowed - value;
        }
        _transfer(from, to, value);
        return true;
    }

    function _transfer(address from, address to, uint256 value) private {
        require(to != address(0), "CreatorCoin: transfer to the zero address");
        uint256 balance = balanceOf[from];
        require(balance >= value, "CreatorCoin: transfer amount exceeds balance");
        unchecked {
            balanceOf[from] = balance - value;
        }
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}

/// Launches one CreatorCoin per creator, once the metrics manager says the creator meets the
/// launch requirements. Names (1-32 bytes) and symbols (3-8 of A-Z 0-9) are unique.
contract CreatorTokenFactory {
    struct CoinInfo {
        address coin;
        string name;
        string symbol;
        uint256 initialSupply;
        uint256 launchedAt;
    }

    address public owner;
    address public oracle;
    ICreatorMetricsManager public immutable metricsManager;

    mapping(address => CoinInfo) private coins;
    mapping(bytes32 => bool) public symbolTaken;
    mapping(bytes32 => bool) private nameTaken;
    address[] public allCoins;

    event OracleChanged(address indexed previousOracle, address indexed newOracle);
    event CreatorCoinLaunched(
        address indexed creator, address indexed coin, string name, string symbol, uint256 initialSupply
    );

    modifier onlyOracle() {
        require(msg.sender == oracle, "CreatorTokenFactory: caller is not the oracle");
        _;
    }

    constructor(address metricsManager_, address oracle_) {
        require(metricsManager_ != address(0), "CreatorTokenFactory: manager is the zero address");
        require(oracle_ != address(0), "CreatorTokenFactory: oracle is the zero address");
        owner = msg.sender;
        metricsManager = ICreatorMetricsManager(metricsManager_);
        oracle = oracle_;
        emit OracleChanged(address(0), oracle_);
    }

    function setOracle(address newOracle) external {
        require(msg.sender == owner, "CreatorTokenFactory: caller is not the owner");
        require(newOracle != address(0), "CreatorTokenFactory: oracle is the zero address");
        emit OracleChanged(oracle, newOracle);
        oracle = newOracle;
    }

    function launchCreatorCoin(address creator, string calldata name, string calldata symbol, uint256 initialSupply)
        external
        onlyOracle
        returns (address coin)
    {
        require(creator != address(0), "CreatorTokenFactory: creator is the zero address");
        require(coins[creator].coin == address(0), "CreatorTokenFactory: coin already launched");
        require(metricsManager.meetsLaunchRequirements(creator), "CreatorTokenFactory: launch requirements not met");
        require(initialSupply > 0, "CreatorTokenFactory: initial supply is zero");
        require(_validName(bytes(name)), "CreatorTokenFactory: invalid name");
        require(_validSymbol(bytes(symbol)), "CreatorTokenFactory: invalid symbol");
        bytes32 symbolKey = keccak256(bytes(symbol));
        bytes32 nameKey = keccak256(bytes(_lower(name)));
        require(!symbolTaken[symbolKey], "CreatorTokenFactory: symbol taken");
        require(!nameTaken[nameKey], "CreatorTokenFactory: name taken");
        symbolTaken[symbolKey] = true;
        nameTaken[nameKey] = true;
        coin = address(new CreatorCoin(name, symbol, initialSupply, creator));
        coins[creator] = CoinInfo(coin, name, symbol, initialSupply, block.timestamp);
        allCoins.push(coin);
        emit CreatorCoinLaunched(creator, coin, name, symbol, initialSupply);
    }

    function getCreatorCoinInfo(address creator)
        external
        view
        returns (address coin, string memory name, string memory symbol, uint256 initialSupply, uint256 launchedAt)
    {
        CoinInfo storage info = coins[creator];
        return (info.coin, info.name, info.symbol, info.initialSupply, info.launchedAt);
    }

    function hasCoin(address creator) external view returns (bool) {
        return coins[creator].coin != address(0);
    }

    function coinCount() external view returns (uint256) {
        return allCoins.length;
    }

    function _validName(bytes memory name) private pure returns (bool) {
        return name.length > 0 && name.length <= 32;
    }

    function _validSymbol(bytes memory symbol) private pure returns (bool) {
        if (symbol.length < 3 || symbol.length > 8) return false;
        for (uint256 i = 0; i < symbol.length; i++) {
            bytes1 c = symbol[i];
            if (!((c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39))) return false;
        }
        return true;
    }

    function _lower(string calldata text) private pure returns (string memory) {
        bytes memory out = bytes(text);
        for (uint256 i = 0; i < out.length; i++) {
            if (out[i] >= 0x41 && out[i] <= 0x5A) out[i] = bytes1(uint8(out[i]) + 32);
        }
        return string(out);
    }
}
