"""vpcreach: what can each VPC-attached Lambda function reach, through which hops, and at what cost."""

__version__ = "0.1.0"
