// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Minimal ERC-20 for local markets: the quote token and the credential reward tokens. Only the
/// owner or a minter mints. `mintForClaim` records each claim id, so a claim retried after a lost
/// receipt mints once (the token generator's "nothing is minted twice", enforced on chain too).
contract MarketToken {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;

    address public owner;
    mapping(address => bool) public minters;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(bytes32 => bool) public claimMinted;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event MinterChanged(address indexed minter, bool allowed);
    event ClaimMinted(bytes32 indexed claimId, address indexed to, uint256 amount);

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
        owner = msg.sender;
        minters[msg.sender] = true;
    }

    modifier onlyMinter() {
        require(minters[msg.sender], "Token: caller is not a minter");
        _;
    }

    function setMinter(address minter, bool allowed) external {
        require(msg.sender == owner, "Token: caller is not the owner");
        minters[minter] = allowed;
        emit MinterChanged(minter, allowed);
    }

    function mint(address to, uint256 amount) external onlyMinter {
        _mint(to, amount);
    }

    /// Mints `amount` to `to` once per `claimId`; a repeated claim id is a no-op, not a revert, so a
    /// resent transaction after a lost receipt confirms instead of failing.
    function mintForClaim(bytes32 claimId, address to, uint256 amount) external onlyMinter {
        if (claimMinted[claimId]) return;
        claimMinted[claimId] = true;
        _mint(to, amount);
        emit ClaimMinted(claimId, to, amount);
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
            require(allowed >= value, "Token: insufficient allowance");
            allowance[from][msg.sender] = allowed - value;
        }
        _transfer(from, to, value);
        return true;
    }

    function _mint(address to, uint256 amount) internal {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function _transfer(address from, address to, uint256 value) internal {
        require(balanceOf[from] >= value, "Token: insufficient balance");
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
