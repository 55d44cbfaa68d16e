"""The finding catalogue: the one place each rule's id, name, severity and texts live.

`vpcreach rules`, the README table, SARIF rule metadata and the cfn-lint id map are all generated from
this table. Ids are stable: add, never renumber (DESIGN.md).
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("info", "warning", "error")
# The rule reference, generated from this table (docs/rules.md: `python -m vpcreach.rules_doc > docs/rules.md`).
DOCS_URL = "https://github.com/vpcreach/vpcreach/blob/main/docs/rules.md"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    summary: str
    why: str
    fix: str
    example: str = ""

    @property
    def help_uri(self) -> str:
        """The rule's heading in docs/rules.md (GitHub's anchor for `## VR102 public-subnet-function`)."""
        return f"{DOCS_URL}#{self.id.lower()}-{self.name}"

    @property
    def cfn_lint_id(self) -> str:
        """E9xxx/W9xxx/I9xxx: cfn-lint's range for user rules, by severity, keeping our number."""
        return self.cfn_lint_id_at(self.severity)

    def cfn_lint_id_at(self, severity: str) -> str:
        """The id of this rule's findings at `severity` (cfn-lint reads a match's level from its rule's
        letter): VR102 without an internet need is a warning, W9102; a config override moves a rule too."""
        letter = {"error": "E", "warning": "W", "info": "I"}[severity]
        return f"{letter}9{self.id[2:]}"


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "VR001",
            "unresolved",
            "info",
            "A value the verdict depends on could not be resolved; the verdict is unknown.",
            "Imported values, SSM parameters, parameters without defaults, remote modules and values known only "
            "after apply cannot be read statically. vpcreach reports them instead of guessing (DESIGN: Unknown is a verdict).",
            "Pass the value (--param / --var / a tfvars file), or scan the Terraform plan, so the verdict can be decided.",
        ),
        Rule(
            "VR101",
            "no-egress-route",
            "error",
            "A function needs the internet and its subnet has no working route to it.",
            "Without a 0.0.0.0/0 route to a working NAT gateway, calls to internet hosts time out [RT][LVPC].",
            "Add a 0.0.0.0/0 route to a NAT gateway in a public subnet to the function subnets' route table.",
            "Routes: [] on the private route table → add `0.0.0.0/0 → NatGateway`",
        ),
        Rule(
            "VR102",
            "public-subnet-function",
            "error",
            "A function's subnet routes 0.0.0.0/0 to an internet gateway; its Hyperplane ENI has no public IP, so it gets no internet.",
            '"Connecting a function to a public subnet doesn\'t give it internet access or a public IP address" [LVPC][IGW]. '
            "A warning when nothing says the function needs the internet.",
            "Put the function in private subnets whose 0.0.0.0/0 route goes to a NAT gateway (which sits in the public subnet).",
        ),
        Rule(
            "VR103",
            "broken-nat",
            "error",
            "A NAT gateway the function relies on cannot reach the internet (private, no Elastic IP, or no route to an attached internet gateway).",
            "A public NAT gateway needs an Elastic IP and a subnet whose route table sends 0.0.0.0/0 to an internet gateway "
            "attached to the same VPC; an internet gateway drops traffic from a private NAT gateway [NATGW].",
            "Place the NAT gateway in a public subnet (0.0.0.0/0 → attached internet gateway), give it an EIP, or use connectivity type public.",
        ),
        Rule(
            "VR104",
            "sg-egress-blocked",
            "error",
            "The function's security groups allow no egress to what it needs.",
            "Security groups are allow-only; with no matching outbound rule the traffic is dropped [SG]. Terraform's "
            "aws_security_group without egress blocks has no egress at all [TFSG].",
            "Add an egress rule for the port and destination (for example TCP 443 to 0.0.0.0/0, a prefix list, or the target's security group).",
        ),
        Rule(
            "VR105",
            "nacl-blocked",
            "error",
            "A network ACL on the path denies the traffic or its return.",
            "NACLs are stateless: the return on Lambda's ephemeral ports 1024-65535 must be allowed too, and a custom NACL "
            "denies everything not allowed [NACL]. The common 32768-65535 example is too narrow for Lambda.",
            "Allow the request port outbound and TCP 1024-65535 inbound (and the mirror pair on NAT, endpoint and database subnets).",
        ),
        Rule(
            "VR106",
            "service-unreachable",
            "error",
            "A needed AWS service has no VPC endpoint and no NAT path.",
            "An AWS API call from a VPC function goes to the service's public endpoint unless a gateway or interface "
            "endpoint serves it [GWE][LVPC]; isolated subnets make SDK calls hang until timeout.",
            "Add a VPC endpoint for the service (gateway for S3/DynamoDB, interface otherwise) or a NAT route.",
        ),
        Rule(
            "VR107",
            "endpoint-dns",
            "error",
            "An interface endpoint is not used by default SDK hostnames (private DNS off, or VPC DNS support/hostnames off).",
            "PrivateDnsEnabled defaults to false and needs both enableDnsSupport and enableDnsHostnames (which defaults "
            "to false); without them the SDK resolves the public endpoint [CFNVPCE][DNS][CFNVPC].",
            "Set PrivateDnsEnabled: true on the endpoint and EnableDnsSupport/EnableDnsHostnames: true on the VPC.",
        ),
        Rule(
            "VR108",
            "endpoint-sg-blocked",
            "error",
            "An interface endpoint's security group does not admit the function on TCP 443.",
            "Interface endpoint ENIs are guarded by their security groups; without SecurityGroupIds the VPC default group "
            "is used, which admits only its own members [CFNVPCE][DSG].",
            "Give the endpoint a security group that admits TCP 443 from the function's security group or subnets.",
        ),
        Rule(
            "VR109",
            "gateway-endpoint-not-routed",
            "warning",
            "A gateway endpoint for a needed service exists in the VPC but is not on the function subnets' route tables.",
            "Gateway endpoints work only for route tables listed on the endpoint [GWE].",
            "Add the function subnets' route tables to the endpoint's RouteTableIds / route_table_ids.",
        ),
        Rule(
            "VR110",
            "ipv6-egress",
            "warning",
            "Dual-stack is enabled for the function but there is no IPv6 egress path.",
            "0.0.0.0/0 never covers IPv6: a ::/0 route to an egress-only internet gateway, IPv6 security-group egress and "
            "Ipv6AllowedForDualStack are all needed [RT][EIGW][BLOG6].",
            "Add ::/0 → egress-only internet gateway to the route table and ::/0 egress to the security group.",
        ),
        Rule(
            "VR111",
            "private-target-unreachable",
            "error",
            "A needed database or cache is not admitted by its security groups or is not routed locally.",
            "The target's security group must admit the port from the function's security group or subnet CIDR, and the "
            "path must use the VPC's local route [SG][RT].",
            "Add an ingress rule on the target's security group from the function's security group on the port.",
        ),
        Rule(
            "VR112",
            "bpa-blocks-egress",
            "error",
            "VPC Block Public Access (bidirectional) blocks the NAT / egress-only path a need uses, with no exclusion "
            "covering it.",
            "In block-bidirectional mode, traffic to and from internet gateways and egress-only internet gateways of "
            "non-excluded VPCs and subnets is dropped, NAT gateway egress included; block-ingress still allows NAT and "
            "egress-only traffic. The setting is account- and Region-wide, usually outside the template [BPA].",
            "Add a VPC Block Public Access exclusion (allow-egress or allow-bidirectional) for the NAT gateway's subnet "
            "or the VPC, or switch Block Public Access to block-ingress.",
        ),
        Rule(
            "VR113",
            "capacity-provider-egress",
            "error",
            "A Lambda Managed Instances capacity provider's subnets give its instances no way to reach Lambda and "
            "CloudWatch Logs (no NAT path, no interface endpoints).",
            "Managed Instances are EC2 instances in the capacity provider's subnets; their own traffic (image pull, "
            "Lambda service communication, logs) leaves through those subnets. Without a NAT route the provider stays "
            "in CREATING and logs go missing [LMI][LMIT].",
            "Route the capacity provider's subnets to a NAT gateway, or add interface endpoints for Lambda and "
            "CloudWatch Logs (and check which others your functions need).",
        ),
        Rule(
            "VR114",
            "connector-no-internet",
            "warning",
            "A network connector replaces the default public path, and its subnets have no IPv4 internet path.",
            "Compute without a connector reaches public destinations directly over IPv4; a connector sends all egress "
            "through your subnets, so public destinations need a NAT gateway: public names still resolve but "
            "connections time out [NC].",
            "Add a 0.0.0.0/0 route to a NAT gateway to the connector's subnets, or drop the connector if the compute "
            "needs nothing private.",
        ),
        Rule(
            "VR115",
            "connector-dualstack",
            "error",
            "A DualStack network connector uses a subnet without an IPv6 CIDR, or an IPv6 need has no ::/0 path.",
            "A DualStack connector needs IPv6 CIDR blocks on every subnet and ::/0 to an egress-only internet gateway [NC].",
            "Give every connector subnet an IPv6 CIDR block and a ::/0 route to an egress-only internet gateway, or use "
            "NetworkProtocol IPv4.",
        ),
        Rule(
            "VR201",
            "nat-for-gateway-service",
            "warning",
            "S3/DynamoDB traffic goes through a NAT gateway; a free gateway endpoint would serve it.",
            "NAT gateways charge per GB processed, AWS destinations included; gateway endpoints are free and win over "
            "0.0.0.0/0 by longest prefix [GWE][NATGW].",
            "Add a gateway VPC endpoint for the service with the function subnets' route tables.",
        ),
        Rule(
            "VR202",
            "nat-for-interface-service",
            "info",
            "Another AWS service is reached only through NAT; an interface endpoint would keep it private.",
            "Traffic to AWS APIs through NAT pays NAT data processing and leaves the VPC [NATGW]; an interface endpoint "
            "costs per hour and GB [PrivateLink pricing].",
            "Consider an interface endpoint with private DNS for the service if the traffic volume justifies it.",
        ),
        Rule(
            "VR203",
            "cross-az-nat",
            "warning",
            "A subnet in one Availability Zone routes through a NAT gateway in another.",
            "A zonal NAT gateway's AZ failure cuts the other AZs' egress, and cross-AZ traffic is billed [NATGW].",
            "Give each AZ its own NAT gateway and route table.",
        ),
        Rule(
            "VR204",
            "single-nat",
            "info",
            "Every NAT-served need of the functions depends on a single NAT gateway.",
            "NAT gateways are zonal; one NAT is a single point of failure for all egress [NATGW].",
            "Add a NAT gateway per AZ, or a regional NAT gateway.",
        ),
        Rule(
            "VR301",
            "eni-groups",
            "info",
            "The Hyperplane ENI sharing groups (subnet × security-group set → functions).",
            "Lambda creates one Hyperplane ENI per unique (subnet, security-group set); functions sharing the pair share "
            "the ENI [LNET][ENIF].",
            "No action needed; use the groups to plan IP addresses and ENI quotas.",
        ),
        Rule(
            "VR302",
            "single-az",
            "warning",
            "A function's subnets are all in one Availability Zone.",
            "AWS Config lambda-vpc-multi-az-check / Security Hub Lambda.5 flag VPC functions in fewer than two AZs [CFG].",
            "List subnets in at least two Availability Zones in VpcConfig.",
        ),
        Rule(
            "VR303",
            "subnet-capacity",
            "warning",
            "A subnet is too small for what is placed in it (5 addresses are reserved).",
            "Each Hyperplane ENI and each other ENI-holding resource takes an address; AWS reserves 5 per subnet [SIZE].",
            "Use a larger subnet or spread the functions and resources across more subnets.",
        ),
        Rule(
            "VR304",
            "eni-permissions",
            "error",
            "The execution role lacks the EC2 network-interface permissions a VPC function needs.",
            "Without ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces and ec2:DeleteNetworkInterface the "
            "function cannot be created or updated [LVPC].",
            "Attach the managed policy AWSLambdaVPCAccessExecutionRole to the execution role.",
        ),
        Rule(
            "VR305",
            "sg-set-sprawl",
            "info",
            "Many distinct security-group sets in one subnet, each costing its own Hyperplane ENI.",
            "Every unique (subnet, security-group set) takes an ENI and an address [LNET]; CDK constructs that each make "
            "an identical group exhaust the quota.",
            "Share one security group between functions with the same network needs.",
        ),
        Rule(
            "VR306",
            "vpc-config-change",
            "warning",
            "(plan) A change creates/replaces a Hyperplane ENI or deletes a subnet/SG still used by one.",
            "A new (subnet, security-group set) puts the function in Pending for ENI creation; deleting a subnet or group "
            "that a Hyperplane ENI still uses can hang for many minutes [LNET][LSTATE][TFL].",
            "Expect the Pending period; delete subnets/groups only after every function (and published version) left them.",
        ),
        Rule(
            "VR307",
            "eni-quota",
            "warning",
            "The Hyperplane ENIs a VPC needs approach the per-VPC network-interface quota (250 by default).",
            '"Elastic network interfaces per VPC: 250", shared with other services; ENILimitReachedException when '
            "exceeded [LQUOTA][LTRB].",
            "Consolidate security-group sets and subnets, or request a quota increase.",
        ),
        Rule(
            "VR308",
            "eni-permission-ordering",
            "error",
            "The ENI permissions reach the role through a separate resource the function does not depend on, so creation can fail.",
            "If the policy attachment is created after the function, CreateFunction fails with 'The provided execution role "
            "does not have permissions to call CreateNetworkInterface on EC2' [LVPC].",
            "Add DependsOn / depends_on from the function to the policy resource, or put the permissions on the role itself.",
        ),
    )
}


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]
