// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Reference contract holding the creator metrics the oracle publishes (creator-metrics-oracle.md):
/// total plays, followers, engagement score x100 (0-10000) and monthly revenue in attoFIL, per
/// creator address. Only the configured oracle writes; anyone reads. The coin factory asks it
/// whether a creator meets the launch requirements.
contract CreatorMetricsManager {
    uint256 public constant MAX_ENGAGEMENT_SCORE_X100 = 10_000;

    struct CreatorMetrics {
        uint256 totalPlays;
        uint256 followers;
        uint256 engagementScoreX100;
        uint256 monthlyRevenueAttoFil;
        uint256 lastUpdated;
    }

    address public owner;
    address public oracle;
    /// 50,000 plays and 5,000 followers, as the source's coin launch rule.
    uint256 public launchMinPlays = 50_000;
    uint256 public launchMinFollowers = 5_000;
    uint256 public creatorCount;

    mapping(address => CreatorMetrics) private metrics;

    event OracleChanged(address indexed previousOracle, address indexed newOracle);
    event LaunchRequirementsChanged(uint256 minPlays, uint256 minFollowers);
    event CreatorMetricsUpdated(
        address indexed creator,
        uint256 totalPlays,
        uint256 followers,
        uint256 engagementScoreX100,
        uint256 monthlyRevenueAttoFil,
        uint256 timestamp
    );
    event LaunchRequirementsMet(address indexed creator, uint256 totalPlays, uint256 followers);

    modifier onlyOwner() {
        require(msg.sender == owner, "CreatorMetricsManager: caller is not the owner");
        _;
    }

    modifier onlyOracle() {
        require(msg.sender == oracle, "CreatorMetricsManager: caller is not the oracle");
        _;
    }

    constructor(address oracle_) {
        require(oracle_ != address(0), "CreatorMetricsManager: oracle is the zero address");
        owner = msg.sender;
        oracle = oracle_;
        emit OracleChanged(address(0), oracle_);
    }

    function setOracle(address newOracle) external onlyOwner {
        require(newOracle != address(0), "CreatorMetricsManager: oracle is the zero address");
        emit OracleChanged(oracle, newOracle);
        oracle = newOracle;
    }

    function setLaunchRequirements(uint256 minPlays, uint256 minFollowers) external onlyOwner {
        launchMinPlays = minPlays;
        launchMinFollowers = minFollowers;
        emit LaunchRequirementsChanged(minPlays, minFollowers);
    }

    function updateCreatorMetrics(
        address creator,
        uint256 totalPlays,
        uint256 followers,
        uint256 engagementScoreX100,
        uint256 monthlyRevenueAttoFil
    ) external onlyOracle {
        require(creator != address(0), "CreatorMetricsManager: creator is the zero address");
        require(engagementScoreX100 <= MAX_ENGAGEMENT_SCORE_X100, "CreatorMetricsManager: engagement score above 10000");
        CreatorMetrics storage m = metrics[creator];
        bool metBefore = _meets(m);
        if (m.lastUpdated == 0) creatorCount += 1;
        m.totalPlays = totalPlays;
        m.followers = followers;
        m.engagementScoreX100 = engagementScoreX100;
        m.monthlyRevenueAttoFil = monthlyRevenueAttoFil;
        m.lastUpdated = block.timestamp;
        emit CreatorMetricsUpdated(creator, totalPlays, followers, engagementScoreX100, monthlyRevenueAttoFil, block.timestamp);
        if (!metBefore && _meets(m)) emit LaunchRequirementsMet(creator, totalPlays, followers);
    }

    function getCreatorMetrics(address creator)
        external
        view
        returns (
            uint256 totalPlays,
            uint256 followers,
            uint256 engagementScoreX100,
            uint256 monthlyRevenueAttoFil,
            uint256 lastUpdated
        )
    {
        CreatorMetrics storage m = metrics[creator];
        return (m.totalPlays, m.followers, m.engagementScoreX100, m.monthlyRevenueAttoFil, m.lastUpdated);
    }

    function meetsLaunchRequirements(address creator) external view returns (bool) {
        return _meets(metrics[creator]);
    }

    /// Annual revenue weighted by engagement: 12 x monthly revenue x (50 % + score / 2), in attoFIL.
    /// A creator with no engagement is valued at half a year's revenue, one at 100 at a full year.
    function calculateIntrinsicValue(address creator) external view returns (uint256) {
        CreatorMetrics storage m = metrics[creator];
        return (m.monthlyRevenueAttoFil * 12 * (MAX_ENGAGEMENT_SCORE_X100 + m.engagementScoreX100))
            / (2 * MAX_ENGAGEMENT_SCORE_X100);
    }

    function _meets(CreatorMetrics storage m) private view returns (bool) {
        return m.lastUpdated != 0 && m.totalPlays >= launchMinPlays && m.followers >= launchMinFollowers;
    }
}
