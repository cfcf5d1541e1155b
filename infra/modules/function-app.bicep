// The Flex Consumption plan and the CloneFlow function app (.NET 10 isolated worker). The app runs
// as a user-assigned identity and reaches storage, Key Vault and Application Insights with Entra
// ID tokens: no connection string or key appears in its settings.

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the function app.')
param name string

@description('Azure region of the plan and the app.')
param location string = resourceGroup().location

@description('Tags applied to the plan.')
param planTags { *: string } = {}

@description('Tags applied to the function app (azd finds the app by its azd-service-name tag).')
param appTags { *: string } = {}

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client id of that identity, for AzureWebJobsStorage, Application Insights and DefaultAzureCredential.')
param identityClientId string

@description('Name of the storage account behind AzureWebJobsStorage and the task hub.')
param storageAccountName string

@description('Blob endpoint of that storage account, with a trailing slash.')
param storageBlobEndpoint string

@description('Queue endpoint of that storage account.')
param storageQueueEndpoint string

@description('Table endpoint of that storage account.')
param storageTableEndpoint string

@description('Blob container the deployment packages are uploaded to.')
param deploymentContainerName string

@description('Blob container for run artifacts.')
param artifactsContainerName string

@description('Application Insights connection string (not a credential: local auth is disabled).')
param applicationInsightsConnectionString string

@description('URI of the key vault that holds CloneFlow\'s secrets.')
param keyVaultUri string

@description('Durable Task hub name (host.json reads it as %CLONEFLOW_TASK_HUB%).')
param taskHubName string

@description('Name (not value, not URL) of the Key Vault secret holding the Teams Workflows webhook URL.')
param teamsWebhookSecretName string

@description('Mailbox CloneFlow sends approval e-mail from (Microsoft Graph sendMail). Empty: no e-mail.')
param mailSender string

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: planTags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: appTags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// azd deploys with Entra ID; publishing with basic (user name and password) credentials stays off.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: {
    // Functions host and Durable Task hub storage, identity-based.
    AzureWebJobsStorage__accountName: storageAccountName
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
    AzureWebJobsStorage__tableServiceUri: storageTableEndpoint

    // Telemetry with Entra ID auth (the component rejects the instrumentation key alone).
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

    // DefaultAzureCredential in CloneFlow's own clients picks the user-assigned identity.
    AZURE_CLIENT_ID: identityClientId

    // CloneFlow.
    CLONEFLOW_TASK_HUB: taskHubName
    CLONEFLOW_KEYVAULT_URI: keyVaultUri
    CLONEFLOW_ARTIFACTS_BLOB_URI: storageBlobEndpoint
    CLONEFLOW_ARTIFACTS_CONTAINER: artifactsContainerName
    CLONEFLOW_TEAMS_WEBHOOK_SECRET_NAME: teamsWebhookSecretName
    CLONEFLOW_MAIL_SENDER: mailSender
    CLONEFLOW_APPROVAL_BASE_URL: 'https://${functionApp.properties.defaultHostName}'
  }
}

output name string = functionApp.name
output uri string = 'https://${functionApp.properties.defaultHostName}'
