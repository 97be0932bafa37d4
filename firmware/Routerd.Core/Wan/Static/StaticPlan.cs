using Routerd.Core.Net;

namespace Routerd.Core.Wan;

/// <summary>Static mode's address and gateway as the user typed them (from <see cref="StaticRules"/>).</summary>
public sealed record StaticPlan(Ipv4Network Address, uint Gateway) : IWanProtocolPlan;
