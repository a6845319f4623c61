# Source: seed article 1 - CCM_UpdateCIAssignment in root\CCM\Policy\Machine\ActualConfig (AssignmentID =
# the deployment unique ID); AssignedCIs carry <ModelName>Site_.../SUM_<UpdateID></ModelName> (SupportArticles-docs
# track-software-update-deployment-process.md: "Update (Site_.../SUM_...) ... added to the targeted list").
try {
    $a = Get-Cim 'root/ccm/Policy/Machine/ActualConfig' 'CCM_UpdateCIAssignment'
    $rows = @($a | ForEach-Object {
        $ids = @($_.AssignedCIs | ForEach-Object { [regex]::Matches([string]$_, '<ModelName>([^<]+)</ModelName>') } |
            ForEach-Object { $_.Groups[1].Value })
        [ordered]@{ id = [string]$_.AssignmentID; name = [string]$_.AssignmentName; ci_models = $ids } })
    Out-Section 'deployment_policy' ([ordered]@{ assignments = $rows })
} catch { Out-Failure 'deployment_policy' $_ }
