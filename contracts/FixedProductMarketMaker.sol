// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Reference market maker carrying the oracle-fed state of the source's SimpleFPMM: per season and
/// player, a raffle probability and a market sentiment, both in basis points. The contract address
/// is the market id; only the configured oracle writes.
contract FixedProductMarketMaker {
    uint256 public constant MAX_BPS = 10_000;

    address public owner;
    address public oracle;

    mapping(uint256 => bool) public seasonClosed;
    mapping(uint256 => mapping(address => uint256)) public raffleProbabilityBps;
    mapping(uint256 => mapping(address => int256)) public marketSentimentBps;

    event OracleChanged(address indexed previousOracle, address indexed newOracle);
    event RaffleProbabilityUpdated(uint256 indexed seasonId, address indexed player, uint256 probabilityBps);
    event MarketSentimentUpdated(uint256 indexed seasonId, address indexed player, int256 sentimentBps);
    event SeasonClosed(uint256 indexed seasonId);

    modifier onlyOwner() {
        require(msg.sender == owner, "FPMM: caller is not the owner");
        _;
    }

    modifier onlyOracle() {
        require(msg.sender == oracle, "FPMM: caller is not the oracle");
        _;
    }

    modifier seasonOpen(uint256 seasonId) {
        require(seasonId != 0, "FPMM: invalid season");
        require(!seasonClosed[seasonId], "FPMM: season closed");
        _;
    }

    constructor(address oracle_) {
        require(oracle_ != address(0), "FPMM: oracle is the zero address");
        owner = msg.sender;
        oracle = oracle_;
        emit OracleChanged(address(0), oracle_);
    }

    function setOracle(address newOracle) external onlyOwner {
        require(newOracle != address(0), "FPMM: oracle is the zero address");
        emit OracleChanged(oracle, newOracle);
        oracle = newOracle;
    }

    function closeSeason(uint256 seasonId) external onlyOwner {
        seasonClosed[seasonId] = true;
        emit SeasonClosed(seasonId);
    }

    function updateRaffleProbability(uint256 seasonId, address player, uint256 probabilityBps)
        external
        onlyOracle
        seasonOpen(seasonId)
    {
        require(player != address(0), "FPMM: player is the zero address");
        require(probabilityBps <= MAX_BPS, "FPMM: probability above 100%");
        raffleProbabilityBps[seasonId][player] = probabilityBps;
        emit RaffleProbabilityUpdated(seasonId, player, probabilityBps);
    }

    function updateMarketSentiment(uint256 seasonId, address player, int256 sentimentBps)
        external
        onlyOracle
        seasonOpen(seasonId)
    {
        require(player != address(0), "FPMM: player is the zero address");
        require(sentimentBps >= -int256(MAX_BPS) && sentimentBps <= int256(MAX_BPS), "FPMM: sentiment out of range");
        marketSentimentBps[seasonId][player] = sentimentBps;
        emit MarketSentimentUpdated(seasonId, player, sentimentBps);
    }
}
