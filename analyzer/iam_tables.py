"""IAM facts vpcreach needs offline: actions of common AWS managed policies and of SAM policy templates.

Managed policy contents are abridged to the actions that matter here (which services they let the code
call, and the EC2 network-interface actions); source: the AWS Managed Policy Reference Guide and
aws/serverless-application-model `samtranslator/policy_templates_data/policy_templates.json`, read
2026-11. A policy not listed is treated as unknown for needs, never as "no needs".
"""

from __future__ import annotations

ENI_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
)
ENI_EXTRA = ("ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses", "ec2:DescribeSubnets")

_LOGS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")

MANAGED_POLICIES: dict[str, tuple[str, ...]] = {
    "AWSLambdaBasicExecutionRole": _LOGS,
    "AWSLambdaVPCAccessExecutionRole": (*_LOGS, *ENI_ACTIONS, *ENI_EXTRA),
    "AWSLambdaENIManagementAccess": (*ENI_ACTIONS, *ENI_EXTRA),
    "AWSLambdaSQSQueueExecutionRole": (*_LOGS, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    "AWSLambdaKinesisExecutionRole": (
        *_LOGS,
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
        "kinesis:ListStreams",
        "kinesis:SubscribeToShard",
    ),
    "AWSLambdaDynamoDBExecutionRole": (
        *_LOGS,
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ),
    "AWSLambdaMSKExecutionRole": (*_LOGS, *ENI_ACTIONS, "kafka:DescribeCluster", "kafka:GetBootstrapBrokers"),
    "AWSXRayDaemonWriteAccess": ("xray:PutTraceSegments", "xray:PutTelemetryRecords"),
    "AWSXrayWriteOnlyAccess": ("xray:PutTraceSegments", "xray:PutTelemetryRecords"),
    "CloudWatchLambdaInsightsExecutionRolePolicy": ("logs:CreateLogStream", "logs:PutLogEvents"),
    "AmazonS3ReadOnlyAccess": ("s3:Get*", "s3:List*"),
    "AmazonS3FullAccess": ("s3:*",),
    "AmazonDynamoDBReadOnlyAccess": ("dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"),
    "AmazonDynamoDBFullAccess": ("dynamodb:*",),
    "AmazonSQSFullAccess": ("sqs:*",),
    "AmazonSQSReadOnlyAccess": ("sqs:GetQueueAttributes", "sqs:ListQueues"),
    "AmazonSNSFullAccess": ("sns:*",),
    "AmazonSNSReadOnlyAccess": ("sns:GetTopicAttributes", "sns:List*"),
    "SecretsManagerReadWrite": ("secretsmanager:*",),
    "AmazonSSMReadOnlyAccess": ("ssm:Describe*", "ssm:Get*", "ssm:List*"),
    "AmazonSSMFullAccess": ("ssm:*",),
    "AmazonKinesisFullAccess": ("kinesis:*",),
    "AmazonKinesisReadOnlyAccess": ("kinesis:Get*", "kinesis:List*", "kinesis:Describe*"),
    "AmazonEventBridgeFullAccess": ("events:*",),
    "AWSStepFunctionsFullAccess": ("states:*",),
    "AmazonEC2ContainerRegistryReadOnly": ("ecr:GetAuthorizationToken", "ecr:BatchGetImage"),
    "AWSLambda_FullAccess": ("lambda:*",),
    "AWSLambdaRole": ("lambda:InvokeFunction",),
    "AmazonRDSDataFullAccess": ("rds-data:*", "secretsmanager:GetSecretValue"),
    "CloudWatchFullAccess": ("cloudwatch:*",),
    "AmazonAthenaFullAccess": ("athena:*",),
    "AmazonSESFullAccess": ("ses:*",),
    "AWSKeyManagementServicePowerUser": ("kms:*",),
    "AdministratorAccess": ("*",),
    "PowerUserAccess": ("*",),
    "ReadOnlyAccess": ("*",),
}

SAM_POLICY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "S3ReadPolicy": ("s3:GetObject", "s3:ListBucket"),
    "S3WritePolicy": ("s3:PutObject",),
    "S3CrudPolicy": ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"),
    "S3FullAccessPolicy": ("s3:*",),
    "DynamoDBReadPolicy": ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"),
    "DynamoDBWritePolicy": ("dynamodb:PutItem", "dynamodb:UpdateItem"),
    "DynamoDBCrudPolicy": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
    "DynamoDBReconfigurePolicy": ("dynamodb:UpdateTable",),
    "DynamoDBStreamReadPolicy": (
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ),
    "SQSSendMessagePolicy": ("sqs:SendMessage",),
    "SQSPollerPolicy": (
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",
    ),
    "SNSPublishMessagePolicy": ("sns:Publish",),
    "SNSCrudPolicy": ("sns:CreateTopic", "sns:Publish", "sns:Subscribe"),
    "AWSSecretsManagerGetSecretValuePolicy": ("secretsmanager:GetSecretValue",),
    "AWSSecretsManagerRotationPolicy": ("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"),
    "SSMParameterReadPolicy": ("ssm:GetParameter", "ssm:GetParameters"),
    "SSMParameterWithSlashPrefixReadPolicy": ("ssm:GetParameter", "ssm:GetParameters"),
    "KMSDecryptPolicy": ("kms:Decrypt",),
    "KMSEncryptPolicy": ("kms:Encrypt",),
    "KinesisCrudPolicy": ("kinesis:PutRecord", "kinesis:PutRecords", "kinesis:GetRecords"),
    "KinesisStreamReadPolicy": (
        "kinesis:DescribeStream",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
        "kinesis:ListStreams",
    ),
    "StepFunctionsExecutionPolicy": ("states:StartExecution",),
    "EventBridgePutEventsPolicy": ("events:PutEvents",),
    "LambdaInvokePolicy": ("lambda:InvokeFunction",),
    "CloudWatchPutMetricPolicy": ("cloudwatch:PutMetricData",),
    "SESCrudPolicy": ("ses:SendEmail", "ses:SendRawEmail"),
    "SESSendBouncePolicy": ("ses:SendBounce",),
    "AthenaQueryPolicy": ("athena:StartQueryExecution",),
    "VPCAccessPolicy": (*ENI_ACTIONS, *ENI_EXTRA),
    "EFSWriteAccessPolicy": ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
    "ElasticsearchHttpPostPolicy": ("es:ESHttpPost", "es:ESHttpPut"),
    "TextractPolicy": ("textract:*",),
    "RekognitionDetectOnlyPolicy": ("rekognition:DetectLabels",),
    "ComprehendBasicAccessPolicy": ("comprehend:DetectSentiment",),
    "FirehoseWritePolicy": ("firehose:PutRecord", "firehose:PutRecordBatch"),
    "AWSAppSyncMutationPolicy": ("appsync:GraphQL",),
    "CloudWatchDescribeAlarmHistoryPolicy": ("cloudwatch:DescribeAlarmHistory",),
    "CostExplorerReadOnlyPolicy": ("ce:GetCostAndUsage",),
}

# IAM action prefix → VPC endpoint service name, where they differ.
SERVICE_OF_PREFIX = {
    "cloudwatch": "monitoring",
    "ecr": "ecr.api",
    "ses": "email",
    "firehose": "kinesis-firehose",
    "execute-api": "execute-api",
}

# Prefixes that are never a need from the function's own network (DESIGN decision 3; SEMANTICS §1).
# elasticfilesystem and s3files client actions mount a file system through a mount target inside the VPC.
NOT_NEEDS = (
    "logs",
    "xray",
    "iam",
    "sts:AssumeRole",
    "rds-db",
    "elasticfilesystem",
    "s3files",
    "kafka-cluster",
    "kafka",
)

# Actions an event source mapping's poller uses; dropped for a function with a mapping of that kind.
POLLER_ACTIONS = {
    "sqs": {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:DeleteMessageBatch",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",
        "sqs:ChangeMessageVisibilityBatch",
    },
    "kinesis": {
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
        "kinesis:ListStreams",
        "kinesis:SubscribeToShard",
    },
    "dynamodb": {"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"},
}


def managed_policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]
