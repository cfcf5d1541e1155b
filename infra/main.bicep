// CloneFlow on Azure: a Durable Functions app on Flex Consumption, its storage (task hub and run
// artifacts), Key Vault for secrets and Application Insights, all reached with one user-assigned
// managed identity. Deployed by `azd up`; see infra/README.md.

targetScope = 'subscription'

@description('azd environment name; names the resource group and seeds every resource name.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region for all resources (must offer Flex Consumption).')
@minLength(1)
param location string

@description('Object id of the deploying user or group, granted data access to storage and Key Vault. Empty: no grants.')
param principalId string = ''

@description('Type of the principal in principalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Durable Task hub name; host.json reads it as %CLONEFLOW_TASK_HUB%.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'cloneflow'

@description('Name of the Key Vault secret that holds the Teams Workflows webhook URL (the secret name, not the URL).')
param teamsWebhookSecretName string = 'cloneflow-teams-webhook'

@description('Mailbox CloneFlow sends approval e-mail from through Microsoft Graph. Empty: e-mail is off.')
param mailSender string = ''

@description('Most instances the function app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each function app instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Whether Key Vault accepts traffic from public networks.')
@allowed([
  'Enabled'
  'Disabled'
])
param keyVaultPublicNetworkAccess string = 'Enabled'

@description('Time-based immutability (WORM) for the run artifacts container, in days. 0 leaves it off.')
@minValue(0)
@maxValue(146000)
param artifactsImmutabilityDays int = 0

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'cloneflow'
}

// Names are computed here, not read from module outputs, so that what-if and role assignment
// names are known before anything is deployed.
var names = {
  identity: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
  logAnalytics: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
  applicationInsights: '${abbrs.insightsComponents}${resourceToken}'
  storageAccount: '${abbrs.storageStorageAccounts}${resourceToken}'
  keyVault: '${abbrs.keyVaultVaults}${resourceToken}'
  plan: '${abbrs.webServerFarms}${resourceToken}'
  functionApp: '${abbrs.webSitesFunctions}${resourceToken}'
}
var deploymentContainerName = 'app-package-${take(names.functionApp, 32)}'
var artifactsContainerName = 'cloneflow-runs'

resource rg 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storageAccount
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    artifactsContainerName: artifactsContainerName
    taskHubName: taskHubName
    artifactsImmutabilityDays: artifactsImmutabilityDays
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    publicNetworkAccess: keyVaultPublicNetworkAccess
  }
}

module access 'modules/access.bicep' = {
  name: 'access'
  scope: rg
  params: {
    storageAccountName: names.storageAccount
    keyVaultName: names.keyVault
    applicationInsightsName: names.applicationInsights
    appIdentityName: names.identity
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
  dependsOn: [
    identity
    storage
    keyVault
    monitoring
  ]
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    planName: names.plan
    name: names.functionApp
    location: location
    planTags: tags
    appTags: union(tags, { 'azd-service-name': 'functions' })
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: names.storageAccount
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    artifactsContainerName: artifactsContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    keyVaultUri: keyVault.outputs.uri
    taskHubName: taskHubName
    teamsWebhookSecretName: teamsWebhookSecretName
    mailSender: mailSender
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
  // The host starts as soon as the app exists: its identity must already hold its roles.
  dependsOn: [
    access
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output CLONEFLOW_ARTIFACTS_CONTAINER string = artifactsContainerName
output CLONEFLOW_TASK_HUB string = taskHubName
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.applicationInsightsConnectionString
output SERVICE_FUNCTIONS_NAME string = functionApp.outputs.name
output SERVICE_FUNCTIONS_URI string = functionApp.outputs.uri
