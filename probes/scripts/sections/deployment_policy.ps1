# Source: seed article 1 - CCM_UpdateCIAssignment in root\CCM\Policy\Machine\ActualConfig;
# SupportArticles-docs track-software-update-deployment-process.md.
try {
    $a = Get-CimInstance -Namespace 'root/ccm/Policy/Machine/ActualConfig' -ClassName CCM_UpdateCIAssignment
    $r.deployment_policy = [ordered]@{ assignments = @($a | ForEach-Object {
        [ordered]@{ id = [string]$_.AssignmentID; name = [string]$_.AssignmentName; updates = @() } }) }
} catch { $r.errors.deployment_policy = $_.Exception.Message }
