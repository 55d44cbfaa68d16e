"""Where the facts behind the rules come from: the source keys rule texts cite (`[LVPC]`) and their pages.

Rule texts in analyzer/catalogue.py cite their sources by key, as the project's semantics notes do; readers
see them as links (docs/rules.md, SARIF help). Every key a rule text uses must be here (tests/test_rules_doc.py).
"""

from __future__ import annotations

import re

SOURCES: dict[str, tuple[str, str]] = {
    "LVPC": (
        "Lambda: giving functions access to resources in a VPC",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html",
    ),
    "LNET": (
        "Lambda: networking and Hyperplane ENIs",
        "https://docs.aws.amazon.com/lambda/latest/dg/foundation-networking.html",
    ),
    "LSTATE": ("Lambda: function states", "https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html"),
    "LTRB": (
        "Lambda: troubleshooting networking",
        "https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-networking.html",
    ),
    "LQUOTA": ("Lambda quotas", "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"),
    "BLOG6": (
        "AWS Compute Blog: Lambda networking over IPv6",
        "https://aws.amazon.com/blogs/compute/aws-lambda-networking-over-ipv6/",
    ),
    "ENIF": (
        "AWS support tools: Lambda ENI finder",
        "https://github.com/awslabs/aws-support-tools/tree/master/Lambda/FindEniMappings",
    ),
    "RT": ("Amazon VPC: route tables", "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html"),
    "IGW": (
        "Amazon VPC: internet gateways",
        "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html",
    ),
    "NATGW": ("Amazon VPC: NAT gateways", "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html"),
    "EIGW": (
        "Amazon VPC: egress-only internet gateways",
        "https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html",
    ),
    "SG": ("Amazon VPC: security groups", "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html"),
    "DSG": (
        "Amazon VPC: default security groups",
        "https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html",
    ),
    "NACL": ("Amazon VPC: network ACLs", "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"),
    "DNS": ("Amazon VPC: DNS attributes", "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html"),
    "SIZE": ("Amazon VPC: subnet sizing", "https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html"),
    "GWE": (
        "AWS PrivateLink: gateway endpoints",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html",
    ),
    "CFNVPCE": (
        "CloudFormation: AWS::EC2::VPCEndpoint",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-vpcendpoint.html",
    ),
    "CFNVPC": (
        "CloudFormation: AWS::EC2::VPC",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-vpc.html",
    ),
    "TFSG": (
        "Terraform AWS provider: aws_security_group",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group",
    ),
    "TFL": (
        "Terraform AWS provider: aws_lambda_function",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function",
    ),
    "CFG": (
        "AWS Config rule lambda-vpc-multi-az-check",
        "https://docs.aws.amazon.com/config/latest/developerguide/lambda-vpc-multi-az-check.html",
    ),
    "RNAT": (
        "Amazon VPC: regional NAT gateways",
        "https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateways-regional.html",
    ),
    "LMI": (
        "Lambda Managed Instances: capacity providers",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-capacity-providers.html",
    ),
    "LMIT": (
        "AWS agent toolkit: Lambda Managed Instances troubleshooting",
        "https://github.com/aws/agent-toolkit-for-aws",
    ),
    "NC": (
        "Lambda Core API: NetworkConnectorVpcEgressConfiguration",
        "https://docs.aws.amazon.com/lambda/latest/lambda-core/API_NetworkConnectorVpcEgressConfiguration.html",
    ),
    "BPA": (
        "Amazon VPC: Block Public Access",
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-vpc-bpa.html",
    ),
}

CITATION = re.compile(r"\[([A-Z][A-Z0-9]{1,7})\]")


def cited(text: str) -> list[str]:
    """The source keys a text cites, in order, each once."""
    return list(dict.fromkeys(CITATION.findall(text)))


def linked(text: str) -> str:
    """Markdown: each `[KEY]` a link to its page (a key without one stays as written)."""
    return CITATION.sub(lambda m: f"[[{m[1]}]]({SOURCES[m[1]][1]})" if m[1] in SOURCES else m[0], text)
