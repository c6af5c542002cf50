<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ConsoleComposition</name>
    <message>
        <source>Local node did not start</source>
        <translation>本地节点未能启动</translation>
    </message>
    <message>
        <source>The local node could not start:
%1

Change the port in Settings or free it, then restart the console.</source>
        <translation>本地节点无法启动：
%1

请在“设置”中更改端口或释放该端口，然后重新启动控制台。</translation>
    </message>
</context>
<context>
    <name>ConsoleMain</name>
    <message>
        <source>lmfront console</source>
        <translation>lmfront 控制台</translation>
    </message>
</context>
<context>
    <name>OpsErrorText</name>
    <message>
        <source>The node did not answer in time.</source>
        <translation>节点未及时应答。</translation>
    </message>
    <message>
        <source>Not connected to the node: %1</source>
        <translation>未连接到节点：%1</translation>
    </message>
    <message>
        <source>Not allowed: %1</source>
        <translation>无权操作：%1</translation>
    </message>
    <message>
        <source>The node does not offer this command (an older version?): %1</source>
        <translation>节点不提供此命令（版本较旧？）：%1</translation>
    </message>
    <message>
        <source>Refused: %1</source>
        <translation>被拒绝：%1</translation>
    </message>
</context>
<context>
    <name>lmfront::models::AlertHistoryModel</name>
    <message>
        <source>state</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>ack</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>silence</source>
        <translation>静默</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>严重程度</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>作者</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Not connected to a node.</source>
        <translation>未连接到节点。</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>lmfront::models::AlertListModel</name>
    <message>
        <source>critical</source>
        <translation>严重</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>firing</source>
        <translation>触发中</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待定</translation>
    </message>
    <message>
        <source>resolved</source>
        <translation>已解决</translation>
    </message>
    <message>
        <source>inactive</source>
        <translation>未激活</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>silenced</source>
        <translation>已静默</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>%1 (silenced)</source>
        <translation>%1（已静默）</translation>
    </message>
    <message>
        <source>not acknowledged</source>
        <translation>未确认</translation>
    </message>
    <message>
        <source>by %1</source>
        <translation>由 %1</translation>
    </message>
    <message>
        <source>by %1: %2</source>
        <translation>由 %1：%2</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>严重程度</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Line %1: write a matcher as label=regular expression</source>
        <translation>第 %1 行：匹配器应写作 标签=正则表达式</translation>
    </message>
    <message>
        <source>Give at least one matcher (label=regular expression).</source>
        <translation>请至少给出一个匹配器（标签=正则表达式）。</translation>
    </message>
    <message>
        <source>Not connected to a node.</source>
        <translation>未连接到节点。</translation>
    </message>
</context>
<context>
    <name>lmfront::models::AlertRules</name>
    <message>
        <source>Not connected to a node.</source>
        <translation>未连接到节点。</translation>
    </message>
</context>
<context>
    <name>lmfront::models::AuditFilterModel</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>lmfront::models::AuditModel</name>
    <message>
        <source>import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>create model</source>
        <translation>创建模型</translation>
    </message>
    <message>
        <source>submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>validate</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <source>reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>compile</source>
        <translation>编译</translation>
    </message>
    <message>
        <source>publish</source>
        <translation>发布</translation>
    </message>
    <message>
        <source>deploy</source>
        <translation>部署</translation>
    </message>
    <message>
        <source>promote</source>
        <translation>提升</translation>
    </message>
    <message>
        <source>rollback</source>
        <translation>回滚</translation>
    </message>
    <message>
        <source>retire</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>job</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>cancel job</source>
        <translation>取消任务</translation>
    </message>
    <message>
        <source>job interrupted</source>
        <translation>任务中断</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>操作者</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>之前</translation>
    </message>
    <message>
        <source>After</source>
        <translation>之后</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
</context>
<context>
    <name>lmfront::models::BundleUpload</name>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 不存在。</translation>
    </message>
    <message>
        <source>Not connected to a node.</source>
        <translation>未连接到节点。</translation>
    </message>
    <message>
        <source>Cannot create a temporary directory: %1</source>
        <translation>无法创建临时目录：%1</translation>
    </message>
</context>
<context>
    <name>lmfront::models::CatalogModel</name>
    <message>
        <source>no node</source>
        <translation>无节点</translation>
    </message>
    <message>
        <source>Served by</source>
        <translation>服务节点</translation>
    </message>
    <message>
        <source>The nodes whose member record lists this model (nodes that are down are left out).</source>
        <translation>其成员记录列出此模型的节点（不含已宕机的节点）。</translation>
    </message>
    <message>
        <source>submitted</source>
        <translation>已提交</translation>
    </message>
    <message>
        <source>validated</source>
        <translation>已验证</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>compiled</source>
        <translation>已编译</translation>
    </message>
    <message>
        <source>published</source>
        <translation>已发布</translation>
    </message>
    <message>
        <source>deployed</source>
        <translation>已部署</translation>
    </message>
    <message>
        <source>retired</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>%1 v%2</source>
        <translation>%1 v%2</translation>
    </message>
    <message>
        <source>v%1</source>
        <translation>v%1</translation>
    </message>
    <message>
        <source>Model / version</source>
        <translation>模型 / 版本</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>阶数</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表</translation>
    </message>
    <message>
        <source>Dev perplexity</source>
        <translation>开发集困惑度</translation>
    </message>
    <message>
        <source>Depends on</source>
        <translation>依赖</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Submitter / owner</source>
        <translation>提交者 / 所有者</translation>
    </message>
    <message>
        <source>Not connected to a node.</source>
        <translation>未连接到节点。</translation>
    </message>
</context>
<context>
    <name>lmfront::models::ClusterModel</name>
    <message>
        <source>gone: its lease in etcd expired</source>
        <translation>已离开：它在 etcd 中的租约已过期</translation>
    </message>
    <message>
        <source>unreachable: %1</source>
        <translation>无法连接：%1</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>leads the cluster</source>
        <translation>集群的领导者</translation>
    </message>
    <message>
        <source>the node this connection reached</source>
        <translation>此连接所连的节点</translation>
    </message>
    <message>
        <source>started %1</source>
        <translation>启动于 %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>QPS</source>
        <translation>QPS</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>错误率</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>up</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>draining</source>
        <translation>正在排空</translation>
    </message>
    <message>
        <source>down</source>
        <translation>已宕机</translation>
    </message>
</context>
<context>
    <name>lmfront::models::ConnectionListModel</name>
    <message>
        <source>Local node</source>
        <translation>本地节点</translation>
    </message>
    <message>
        <source>failed to start: %1</source>
        <translation>启动失败：%1</translation>
    </message>
    <message>
        <source>not running</source>
        <translation>未运行</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>the CA file %1 is missing or holds no PEM certificate</source>
        <translation>CA 文件 %1 不存在或其中没有 PEM 证书</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>stale: %1</source>
        <translation>已过时：%1</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>失败：%1</translation>
    </message>
</context>
<context>
    <name>lmfront::models::ConnectionStore</name>
    <message>
        <source>Enter a URL such as wss://node.example.com:8080/ops or https://node.example.com:8080.</source>
        <translation>请输入 URL，例如 wss://node.example.com:8080/ops 或 https://node.example.com:8080。</translation>
    </message>
    <message>
        <source>The URL has no host name.</source>
        <translation>URL 中缺少主机名。</translation>
    </message>
    <message>
        <source>A ws:// or wss:// URL ends at the port or at /ops.</source>
        <translation>ws:// 或 wss:// URL 只能写到端口或 /ops 为止。</translation>
    </message>
    <message>
        <source>An http:// or https:// URL ends at the port.</source>
        <translation>http:// 或 https:// URL 只能写到端口为止。</translation>
    </message>
    <message>
        <source>Enter a name.</source>
        <translation>请输入名称。</translation>
    </message>
    <message>
        <source>Local node</source>
        <translation>本地节点</translation>
    </message>
    <message>
        <source>A connection named “%1” already exists.</source>
        <translation>已存在名为“%1”的连接。</translation>
    </message>
    <message>
        <source>The CA file %1 does not exist.</source>
        <translation>CA 文件 %1 不存在。</translation>
    </message>
    <message>
        <source>The CA file %1 cannot be read.</source>
        <translation>无法读取 CA 文件 %1。</translation>
    </message>
    <message>
        <source>The CA file %1 holds no PEM certificate.</source>
        <translation>CA 文件 %1 中没有 PEM 证书。</translation>
    </message>
    <message>
        <source>The local node&apos;s connection cannot be edited.</source>
        <translation>本地节点的连接不能编辑。</translation>
    </message>
    <message>
        <source>No such connection.</source>
        <translation>没有这个连接。</translation>
    </message>
    <message>
        <source>The local node&apos;s connection cannot be removed.</source>
        <translation>本地节点的连接不能删除。</translation>
    </message>
    <message>
        <source>The API key could not be stored: %1</source>
        <translation>无法保存 API 密钥：%1</translation>
    </message>
    <message>
        <source>The API key could not be read: %1</source>
        <translation>无法读取 API 密钥：%1</translation>
    </message>
</context>
<context>
    <name>lmfront::models::ConnectionTester</name>
    <message>
        <source>The node answers: %1, version %2, %3.</source>
        <translation>节点有应答：%1，版本 %2，%3。</translation>
    </message>
    <message>
        <source>Test failed: %1</source>
        <translation>测试失败：%1</translation>
    </message>
</context>
<context>
    <name>lmfront::models::DeploymentState</name>
    <message>
        <source>Not connected to a node.</source>
        <translation>未连接到节点。</translation>
    </message>
</context>
<context>
    <name>lmfront::models::JobListModel</name>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>已成功</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>已失败</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>validate</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>compile</source>
        <translation>编译</translation>
    </message>
    <message>
        <source>mix</source>
        <translation>混合</translation>
    </message>
    <message>
        <source>%1 v%2</source>
        <translation>%1 v%2</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>作业</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Model / version</source>
        <translation>模型 / 版本</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>发起者</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Not connected to a node.</source>
        <translation>未连接到节点。</translation>
    </message>
</context>
<context>
    <name>lmfront::models::KeyringSecretStore</name>
    <message>
        <source>the desktop keyring</source>
        <translation>桌面密钥环</translation>
    </message>
    <message>
        <source>%1 (no desktop keyring: %2)</source>
        <translation>%1（没有桌面密钥环：%2）</translation>
    </message>
    <message>
        <source>the desktop keyring (checking…)</source>
        <translation>桌面密钥环（检查中…）</translation>
    </message>
</context>
<context>
    <name>lmfront::models::LiveNodeState</name>
    <message>
        <source>draining</source>
        <translation>正在排空</translation>
    </message>
    <message>
        <source>not ready</source>
        <translation>未就绪</translation>
    </message>
    <message>
        <source>not ready: %1</source>
        <translation>未就绪：%1</translation>
    </message>
    <message>
        <source>unhealthy: %1</source>
        <translation>不健康：%1</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>健康</translation>
    </message>
</context>
<context>
    <name>lmfront::models::ModelListModel</name>
    <message>
        <source>version %1</source>
        <translation>版本 %1</translation>
    </message>
    <message>
        <source>backends: %1</source>
        <translation>后端：%1</translation>
    </message>
</context>
<context>
    <name>lmfront::models::NodeInfoModel</name>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 天 %2 小时</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>reachable, status: %1</source>
        <translation>可访问，状态：%1</translation>
    </message>
    <message>
        <source>checking…</source>
        <translation>检查中…</translation>
    </message>
    <message>
        <source>unreachable: connection refused</source>
        <translation>不可达：连接被拒绝</translation>
    </message>
    <message>
        <source>unreachable: no answer in time</source>
        <translation>不可达：响应超时</translation>
    </message>
    <message>
        <source>unreachable: %1</source>
        <translation>不可达：%1</translation>
    </message>
    <message>
        <source>unreachable: unexpected answer</source>
        <translation>不可达：响应格式异常</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>不可达</translation>
    </message>
    <message>
        <source>Property</source>
        <translation>属性</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>健康状态</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>运行时间</translation>
    </message>
    <message>
        <source>Listen address</source>
        <translation>监听地址</translation>
    </message>
    <message>
        <source>Data directory</source>
        <translation>数据目录</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
</context>
<context>
    <name>lmfront::models::TrafficModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::ActiveAlertsView</name>
    <message>
        <source>Acknowledged.</source>
        <translation>已确认。</translation>
    </message>
    <message>
        <source>Silenced until %1 (silence %2).</source>
        <translation>已静默至 %1（静默 %2）。</translation>
    </message>
    <message>
        <source>No active alerts.</source>
        <translation>没有活动告警。</translation>
    </message>
    <message>
        <source>%1 active, %2 firing</source>
        <translation>%1 条活动，%2 条触发中</translation>
    </message>
    <message>
        <source>Select an alert to acknowledge or silence it.</source>
        <translation>选择一条告警以确认或静默它。</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Comment (who is on it, what is being done)</source>
        <translation>备注（谁在处理，正在做什么）</translation>
    </message>
    <message>
        <source>Silence</source>
        <translation>静默</translation>
    </message>
    <message>
        <source>Matchers</source>
        <translation>匹配器</translation>
    </message>
    <message>
        <source>One label=regular expression per line; every line must match the whole value.</source>
        <translation>每行一个 标签=正则表达式；每行都必须匹配整个值。</translation>
    </message>
    <message>
        <source>For</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::AlertHistoryView</name>
    <message>
        <source>Exported %1 to %2</source>
        <translation>已将 %1导出到 %2</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>MTTA %1</source>
        <translation>平均确认时间 %1</translation>
    </message>
    <message>
        <source>MTTR %1</source>
        <translation>平均解决时间 %1</translation>
    </message>
    <message>
        <source>%1 fired, %2 acknowledged, %3 resolved</source>
        <translation>%1 条触发，%2 条确认，%3 条解决</translation>
    </message>
    <message>
        <source>Export alert history</source>
        <translation>导出告警历史</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>1 event</source>
        <translation>1 个事件</translation>
    </message>
    <message>
        <source>%1 events</source>
        <translation>%1 个事件</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>最近 1 小时</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>全部时间</translation>
    </message>
    <message>
        <source>Custom range</source>
        <translation>自定义范围</translation>
    </message>
    <message>
        <source>Any severity</source>
        <translation>任意严重程度</translation>
    </message>
    <message>
        <source>Any state</source>
        <translation>任意状态</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Text in rule, labels, summary or comment</source>
        <translation>规则、标签、摘要或备注中的文字</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Alerts per day</source>
        <translation>每日告警数</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::AlertRulesView</name>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>检查中…</translation>
    </message>
    <message>
        <source>Applying…</source>
        <translation>应用中…</translation>
    </message>
    <message>
        <source>Rules in effect on the node: %1.</source>
        <translation>节点上生效的规则：%1 条。</translation>
    </message>
    <message>
        <source>Valid, rules: %1. Nothing applied yet.</source>
        <translation>有效，规则：%1 条。尚未应用。</translation>
    </message>
    <message>
        <source>Applied. Rules the node now evaluates: %1.</source>
        <translation>已应用。节点现在评估的规则：%1 条。</translation>
    </message>
    <message>
        <source>The node's alert rules file. Validate checks it on the node without changing anything; Apply replaces the rules (admin role) and keeps alerts of unchanged rules.</source>
        <translation>节点的告警规则文件。“验证”在节点上检查它而不做任何更改；“应用”替换规则（需要 admin 角色），未更改规则的告警保持不变。</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <source>Validate</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::AlertTray</name>
    <message>
        <source>%1 alert: %2</source>
        <translation>%1告警：%2</translation>
    </message>
    <message>
        <source>%1 alert on %2: %3</source>
        <translation>%2 上的%1告警：%3</translation>
    </message>
    <message>
        <source>%1 (value %2)</source>
        <translation>%1（值 %2）</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::AlertsPage</name>
    <message>
        <source>Alerts (%1)</source>
        <translation>告警 (%1)</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>What the node's alert rules raise: acknowledge and silence what fires, review the history, edit the rules.</source>
        <translation>节点告警规则产生的告警：确认和静默触发的告警，查看历史，编辑规则。</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <source>Rules</source>
        <translation>规则</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::AlertsPerDayChart</name>
    <message>
        <source>critical</source>
        <translation>严重</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>No alerts fired in this period</source>
        <translation>此期间没有触发告警</translation>
    </message>
    <message>
        <source>%1: %2 critical, %3 warning, %4 info</source>
        <translation>%1：%2 条严重，%3 条警告，%4 条信息</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::AuditPage</name>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%2 中的 %1</translation>
    </message>
    <message>
        <source>Export the audit log</source>
        <translation>导出审计日志</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Exported %1 to %2</source>
        <translation>已将 %1 导出到 %2</translation>
    </message>
    <message>
        <source>1 action</source>
        <translation>1 条操作</translation>
    </message>
    <message>
        <source>%1 actions</source>
        <translation>%1 条操作</translation>
    </message>
    <message>
        <source>Audit</source>
        <translation>审计</translation>
    </message>
    <message>
        <source>Every action on the node&apos;s models: who did what to which version, when, and why — refusals included.</source>
        <translation>节点上对模型的每一次操作：谁在何时对哪个版本做了什么、为什么——包括被拒绝的操作。</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>最近 1 小时</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>全部时间</translation>
    </message>
    <message>
        <source>Custom range</source>
        <translation>自定义范围</translation>
    </message>
    <message>
        <source>Any model</source>
        <translation>任意模型</translation>
    </message>
    <message>
        <source>Any actor</source>
        <translation>任意操作者</translation>
    </message>
    <message>
        <source>Any action</source>
        <translation>任意操作</translation>
    </message>
    <message>
        <source>Text in any field (reason, state, version…)</source>
        <translation>任意字段中的文本（原因、状态、版本…）</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::ClusterPage</name>
    <message>
        <source>Not connected to the node.</source>
        <translation>未连接到节点。</translation>
    </message>
    <message>
        <source>Draining needs the operator role; this key has %1.</source>
        <translation>排空需要 operator 角色；此密钥的角色是 %1。</translation>
    </message>
    <message>
        <source>Select a node to drain or undrain it.</source>
        <translation>选择一个节点以排空或恢复它。</translation>
    </message>
    <message>
        <source>Drain %1? It stops taking new inference requests (503, and /readyz fails) until it is undrained; requests in flight finish.</source>
        <translation>排空 %1？在恢复之前它不再接受新的推理请求（返回 503，/readyz 失败）；进行中的请求会完成。</translation>
    </message>
    <message>
        <source>Undrain %1? It takes inference requests again.</source>
        <translation>恢复 %1？它将重新接受推理请求。</translation>
    </message>
    <message>
        <source>Drain %1</source>
        <translation>排空 %1</translation>
    </message>
    <message>
        <source>Undrain %1</source>
        <translation>恢复 %1</translation>
    </message>
    <message>
        <source>Draining %1…</source>
        <translation>正在排空 %1…</translation>
    </message>
    <message>
        <source>Undraining %1…</source>
        <translation>正在恢复 %1…</translation>
    </message>
    <message>
        <source>%1 is draining.</source>
        <translation>%1 正在排空。</translation>
    </message>
    <message>
        <source>%1 takes requests again.</source>
        <translation>%1 重新接受请求。</translation>
    </message>
    <message>
        <source>Could not change %1: %2</source>
        <translation>无法更改 %1：%2</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 draining · %2 down</source>
        <translation>%1 个排空中 · %2 个宕机</translation>
    </message>
    <message>
        <source>%1 req/s</source>
        <translation>%1 请求/秒</translation>
    </message>
    <message>
        <source>summed over the nodes</source>
        <translation>所有节点之和</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>no requests</source>
        <translation>没有请求</translation>
    </message>
    <message>
        <source>on %1</source>
        <translation>在 %1 上</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>of the requests answered</source>
        <translation>占已应答请求的比例</translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s member list…</source>
        <translation>正在等待节点的成员列表…</translation>
    </message>
    <message>
        <source>%1 is not in a cluster (started without --etcd): a cluster of one.</source>
        <translation>%1 不在集群中（启动时未指定 --etcd）：单节点集群。</translation>
    </message>
    <message>
        <source>Cluster %1 as %2 sees it; %3 leads.</source>
        <translation>%2 所见的集群 %1；领导者为 %3。</translation>
    </message>
    <message>
        <source>no node</source>
        <translation>无节点</translation>
    </message>
    <message>
        <source>It is not in sync with etcd: the list may be old.</source>
        <translation>它与 etcd 不同步：列表可能已过时。</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>集群</translation>
    </message>
    <message>
        <source>Nodes up</source>
        <translation>运行中的节点</translation>
    </message>
    <message>
        <source>Total QPS</source>
        <translation>总 QPS</translation>
    </message>
    <message>
        <source>Worst p99</source>
        <translation>最差 p99</translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation>错误率</translation>
    </message>
    <message>
        <source>Drain…</source>
        <translation>排空…</translation>
    </message>
    <message>
        <source>Undrain…</source>
        <translation>恢复…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::CommentDialog</name>
    <message>
        <source>Comment (required)</source>
        <translation>备注（必填）</translation>
    </message>
    <message>
        <source>Comment (optional)</source>
        <translation>备注（可选）</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::ConnectionsPage</name>
    <message>
        <source>Test failed: %1</source>
        <translation>测试失败：%1</translation>
    </message>
    <message>
        <source>Testing %1…</source>
        <translation>正在测试 %1…</translation>
    </message>
    <message>
        <source>Remove “%1” and its API key?</source>
        <translation>删除“%1”及其 API 密钥？</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>CA 证书</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>PEM 证书 (*.pem *.crt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>The local node and the remote nodes you saved. The console shows one at a time; switching is instant and every connection stays checked.</source>
        <translation>本地节点和您保存的远程节点。控制台一次显示一个；切换即时完成，每个连接都会持续检查。</translation>
    </message>
    <message>
        <source>The console shows: %1</source>
        <translation>控制台当前显示：%1</translation>
    </message>
    <message>
        <source>Switch to</source>
        <translation>切换到</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Checks that the node answers (the form&apos;s URL while the form is open)</source>
        <translation>检查节点是否应答（表单打开时检查表单中的 URL）</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>New connection</source>
        <translation>新建连接</translation>
    </message>
    <message>
        <source>Edit connection</source>
        <translation>编辑连接</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>wss://node.example.com:8080/ops or https://node.example.com:8080</source>
        <translation>wss://node.example.com:8080/ops 或 https://node.example.com:8080</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>CA file</source>
        <translation>CA 文件</translation>
    </message>
    <message>
        <source>optional: extra CA certificates (PEM) to trust</source>
        <translation>可选：额外信任的 CA 证书（PEM）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>API keys are kept in %1, never in the settings file.</source>
        <translation>API 密钥保存在 %1，绝不写入设置文件。</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::DeployDialog</name>
    <message>
        <source>Deploy %1 v%2</source>
        <translation>部署 %1 v%2</translation>
    </message>
    <message>
        <source>Replace: serve it instead of the current version</source>
        <translation>替换：用它取代当前版本提供服务</translation>
    </message>
    <message>
        <source>Canary: a share of the requests, rolled back on a breach</source>
        <translation>金丝雀：承接部分请求，超出限值时自动回滚</translation>
    </message>
    <message>
        <source>Shadow: mirror a share, answers discarded and compared</source>
        <translation>影子：镜像部分请求，丢弃其回答并进行比较</translation>
    </message>
    <message>
        <source>Sticky: the same caller always gets the same version</source>
        <translation>粘性：同一调用方始终得到同一版本</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Maximum error rate</source>
        <translation>最大错误率</translation>
    </message>
    <message>
        <source>Maximum p99 latency</source>
        <translation>最大 p99 延迟</translation>
    </message>
    <message>
        <source>Maximum p99 against stable</source>
        <translation>相对稳定版本的最大 p99</translation>
    </message>
    <message>
        <source>Judge after</source>
        <translation>判定前所需请求数</translation>
    </message>
    <message>
        <source>Canary limits: breaching one rolls the canary back</source>
        <translation>金丝雀限值：超出任一限值即回滚金丝雀</translation>
    </message>
    <message>
        <source>Comment (optional, kept in the audit log)</source>
        <translation>备注（可选，记入审计日志）</translation>
    </message>
    <message>
        <source>Deploy</source>
        <translation>部署</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>Share of requests</source>
        <translation>请求占比</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::DeploymentPanel</name>
    <message>
        <source>Promoting…</source>
        <translation>正在提升…</translation>
    </message>
    <message>
        <source>The canary v%1 breached its %2 limit (measured %3, limit %4) and was rolled back.</source>
        <translation>金丝雀 v%1 超出了 %2 限值（实测 %3，限值 %4），已回滚。</translation>
    </message>
    <message>
        <source>Deployed.</source>
        <translation>已部署。</translation>
    </message>
    <message>
        <source>Promoted: the variant is the stable version now.</source>
        <translation>已提升：该变体现在是稳定版本。</translation>
    </message>
    <message>
        <source>Rolled back.</source>
        <translation>已回滚。</translation>
    </message>
    <message>
        <source>This model is not deployed on this node.</source>
        <translation>此模型未部署在此节点上。</translation>
    </message>
    <message>
        <source>Serving v%1.</source>
        <translation>正在提供 v%1。</translation>
    </message>
    <message>
        <source>Serving its file.</source>
        <translation>正在提供其文件。</translation>
    </message>
    <message>
        <source>v%1 is kept loaded for a rollback.</source>
        <translation>v%1 保持加载以便回滚。</translation>
    </message>
    <message>
        <source>Canary v%1 on %2 % of requests (sticky).</source>
        <translation>金丝雀 v%1 承接 %2 % 的请求（粘性）。</translation>
    </message>
    <message>
        <source>Canary v%1 on %2 % of requests.</source>
        <translation>金丝雀 v%1 承接 %2 % 的请求。</translation>
    </message>
    <message>
        <source>Shadow v%1 mirrors %2 % of requests.</source>
        <translation>影子 v%1 镜像 %2 % 的请求。</translation>
    </message>
    <message>
        <source>Loading v%1…</source>
        <translation>正在加载 v%1…</translation>
    </message>
    <message>
        <source>≤ %1</source>
        <translation>≤ %1</translation>
    </message>
    <message>
        <source>≤ %1 × stable</source>
        <translation>≤ 稳定版本的 %1 倍</translation>
    </message>
    <message>
        <source>stable v%1</source>
        <translation>稳定 v%1</translation>
    </message>
    <message>
        <source>%1 v%2</source>
        <translation>%1 v%2</translation>
    </message>
    <message>
        <source>limit</source>
        <translation>限值</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求数</translation>
    </message>
    <message>
        <source>judged after %1</source>
        <translation>%1 个请求后判定</translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation>错误率</translation>
    </message>
    <message>
        <source>p99 latency</source>
        <translation>p99 延迟</translation>
    </message>
    <message>
        <source>Needs the operator role.</source>
        <translation>需要 operator 角色。</translation>
    </message>
    <message>
        <source>Select a published version to deploy it.</source>
        <translation>选择一个已发布的版本以部署它。</translation>
    </message>
    <message>
        <source>Only a published version deploys, one deploy at a time.</source>
        <translation>只有已发布的版本可以部署，且一次只能进行一个部署。</translation>
    </message>
    <message>
        <source>Deploying %1 v%2…</source>
        <translation>正在部署 %1 v%2…</translation>
    </message>
    <message>
        <source>Drop the %1 v%2; every request goes to v%3 again.</source>
        <translation>撤下 %1 v%2；所有请求重新发往 v%3。</translation>
    </message>
    <message>
        <source>Cancel the deploy of v%1 still loading.</source>
        <translation>取消仍在加载的 v%1 的部署。</translation>
    </message>
    <message>
        <source>Serve v%1 again instead of v%2, at once.</source>
        <translation>立即重新提供 v%1，取代 v%2。</translation>
    </message>
    <message>
        <source>Roll back %1?</source>
        <translation>回滚 %1？</translation>
    </message>
    <message>
        <source>Roll back</source>
        <translation>回滚</translation>
    </message>
    <message>
        <source>Rolling back…</source>
        <translation>正在回滚…</translation>
    </message>
    <message>
        <source>Deployment</source>
        <translation>部署</translation>
    </message>
    <message>
        <source>Deploy…</source>
        <translation>部署…</translation>
    </message>
    <message>
        <source>Promote</source>
        <translation>提升</translation>
    </message>
    <message>
        <source>Roll back…</source>
        <translation>回滚…</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::GeneratePanel</name>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Type the beginning of a text…</source>
        <translation>输入一段文本的开头…</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Ctrl+Enter generates, Esc stops</source>
        <translation>Ctrl+Enter 生成，Esc 停止</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Token probabilities (hover for the alternatives)</source>
        <translation>词元概率（悬停查看备选）</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::GenerationStatsPanel</name>
    <message>
        <source>Time to first token</source>
        <translation>首个词元用时</translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元数</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>结束原因</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <source>Cache</source>
        <translation>缓存</translation>
    </message>
    <message>
        <source>Gateway overhead</source>
        <translation>网关开销</translation>
    </message>
    <message>
        <source>From sending the request to the first token.</source>
        <translation>从发出请求到收到第一个词元的时间。</translation>
    </message>
    <message>
        <source>Tokens per second while streaming, after the first token.</source>
        <translation>流式输出时每秒的词元数（从第一个词元之后算起）。</translation>
    </message>
    <message>
        <source>%1 + %2 prompt</source>
        <translation>%1 + 提示词 %2</translation>
    </message>
    <message>
        <source>Generated tokens, plus the prompt&apos;s tokens as the node counted them.</source>
        <translation>生成的词元数，加上节点统计的提示词词元数。</translation>
    </message>
    <message>
        <source>The pool member that served the request.</source>
        <translation>处理该请求的池成员。</translation>
    </message>
    <message>
        <source>hit</source>
        <translation>命中</translation>
    </message>
    <message>
        <source>miss</source>
        <translation>未命中</translation>
    </message>
    <message>
        <source>coalesced</source>
        <translation>合并</translation>
    </message>
    <message>
        <source>bypass</source>
        <translation>绕过</translation>
    </message>
    <message>
        <source>Whether the node&apos;s response cache answered. Only deterministic requests (a seed, or temperature 0) are cached.</source>
        <translation>是否由节点的响应缓存作答。只有确定性的请求（指定了种子，或温度为 0）才会被缓存。</translation>
    </message>
    <message>
        <source>Time spent in the gateway itself, excluding the model&apos;s work.</source>
        <translation>网关自身耗费的时间，不含模型的计算。</translation>
    </message>
    <message>
        <source>generating…</source>
        <translation>生成中…</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>error</source>
        <translation>出错</translation>
    </message>
    <message>
        <source>end of text</source>
        <translation>文本结束</translation>
    </message>
    <message>
        <source>max tokens</source>
        <translation>达到最大词元数</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::JobsPanel</name>
    <message>
        <source>Cancelling job %1…</source>
        <translation>正在取消作业 %1…</translation>
    </message>
    <message>
        <source>Job %1 cancelled.</source>
        <translation>作业 %1 已取消。</translation>
    </message>
    <message>
        <source>Select a job first.</source>
        <translation>请先选择一个作业。</translation>
    </message>
    <message>
        <source>Not connected to the node.</source>
        <translation>未连接到节点。</translation>
    </message>
    <message>
        <source>Needs the operator role; this key has %1.</source>
        <translation>需要 operator 角色；此密钥的角色为 %1。</translation>
    </message>
    <message>
        <source>The job has ended.</source>
        <translation>该作业已结束。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>Log of job %1 (%2)</source>
        <translation>作业 %1 的日志（%2）</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>作业</translation>
    </message>
    <message>
        <source>Cancel job</source>
        <translation>取消作业</translation>
    </message>
    <message>
        <source>Show log</source>
        <translation>查看日志</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::MainWindow</name>
    <message>
        <source>Local node not running</source>
        <translation>本地节点未运行</translation>
    </message>
    <message>
        <source>Local node %1</source>
        <translation>本地节点 %1</translation>
    </message>
    <message>
        <source>failed to start: %1</source>
        <translation>启动失败：%1</translation>
    </message>
    <message>
        <source>lmfront console</source>
        <translation>lmfront 控制台</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1（%2）</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::MixDialog</name>
    <message>
        <source>Fixed weights (else tuned by EM on the dev text)</source>
        <translation>固定权重（否则在开发文本上用 EM 调优）</translation>
    </message>
    <message>
        <source>Mix published versions</source>
        <translation>混合已发布的版本</translation>
    </message>
    <message>
        <source>new or existing model name</source>
        <translation>新的或已有的模型名称</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>%1 v%2</source>
        <translation>%1 v%2</translation>
    </message>
    <message>
        <source>Dev text: one sentence a line, as the mixed model should read</source>
        <translation>开发文本：每行一句，即混合后的模型应处理的文本</translation>
    </message>
    <message>
        <source>Load dev text…</source>
        <translation>加载开发文本…</translation>
    </message>
    <message>
        <source>Mix</source>
        <translation>混合</translation>
    </message>
    <message>
        <source>Into model</source>
        <translation>目标模型</translation>
    </message>
    <message>
        <source>Sources (published versions)</source>
        <translation>来源（已发布的版本）</translation>
    </message>
    <message>
        <source>Dev text</source>
        <translation>开发文本</translation>
    </message>
    <message>
        <source>Text (*.txt);;All (*)</source>
        <translation>文本 (*.txt);;全部 (*)</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Name the model the mix becomes a version of: lower-case letters, digits, - and _.</source>
        <translation>请填写混合结果所属的模型名称：小写字母、数字、- 和 _。</translation>
    </message>
    <message>
        <source>Check two or more versions to mix.</source>
        <translation>请勾选两个或更多要混合的版本。</translation>
    </message>
    <message>
        <source>Give a dev text to tune the weights on, or fix the weights.</source>
        <translation>请提供用于调优权重的开发文本，或固定权重。</translation>
    </message>
    <message>
        <source>The sources are mixed with these weights (normalised by the node).</source>
        <translation>按这些权重混合各来源（由节点归一化）。</translation>
    </message>
    <message>
        <source>The node tunes the weights on the dev text, then mixes.</source>
        <translation>节点先在开发文本上调优权重，然后混合。</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::ModelsPage</name>
    <message>
        <source>Served by</source>
        <translation>服务节点</translation>
    </message>
    <message>
        <source>no node</source>
        <translation>无节点</translation>
    </message>
    <message>
        <source>This version has no model card.</source>
        <translation>此版本没有模型卡片。</translation>
    </message>
    <message>
        <source>%1 v%2 is %3 now.</source>
        <translation>%1 v%2 现在为%3。</translation>
    </message>
    <message>
        <source>Connecting to the node…</source>
        <translation>正在连接节点…</translation>
    </message>
    <message>
        <source>Signed in as %1 (%2)</source>
        <translation>以 %1 身份登录（%2）</translation>
    </message>
    <message>
        <source>Select a model or a version</source>
        <translation>选择一个模型或版本</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>所有者</translation>
    </message>
    <message>
        <source>License</source>
        <translation>许可证</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>版本数</translation>
    </message>
    <message>
        <source>Select a version to read its model card.</source>
        <translation>选择一个版本以查看其模型卡片。</translation>
    </message>
    <message>
        <source>%1 v%2 — %3</source>
        <translation>%1 v%2 — %3</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>阶数</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表</translation>
    </message>
    <message>
        <source>Dev perplexity</source>
        <translation>开发集困惑度</translation>
    </message>
    <message>
        <source>Depends on</source>
        <translation>依赖</translation>
    </message>
    <message>
        <source>Submitter</source>
        <translation>提交者</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>Select a version first.</source>
        <translation>请先选择一个版本。</translation>
    </message>
    <message>
        <source>Not connected to the node.</source>
        <translation>未连接到节点。</translation>
    </message>
    <message>
        <source>Needs the operator role; this key has %1.</source>
        <translation>需要 operator 角色；此密钥的角色为 %1。</translation>
    </message>
    <message>
        <source>%1 v%2</source>
        <translation>%1 v%2</translation>
    </message>
    <message>
        <source>Approve %1</source>
        <translation>批准 %1</translation>
    </message>
    <message>
        <source>Approve %1 for compiling and publishing. Say why (kept with the review and in the audit log).</source>
        <translation>批准 %1 进行编译和发布。请说明理由（随评审一起保存并记入审计日志）。</translation>
    </message>
    <message>
        <source>Reject %1</source>
        <translation>拒绝 %1</translation>
    </message>
    <message>
        <source>Reject %1. A rejected version is final; say what is wrong with it.</source>
        <translation>拒绝 %1。被拒绝的版本无法恢复；请说明问题所在。</translation>
    </message>
    <message>
        <source>Retire %1</source>
        <translation>停用 %1</translation>
    </message>
    <message>
        <source>Retire %1: it leaves service for good. Say why.</source>
        <translation>停用 %1：它将永久停止服务。请说明理由。</translation>
    </message>
    <message>
        <source>%1 %2 v%3…</source>
        <translation>%1 %2 v%3…</translation>
    </message>
    <message>
        <source>Validate</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Compile</source>
        <translation>编译</translation>
    </message>
    <message>
        <source>Publish</source>
        <translation>发布</translation>
    </message>
    <message>
        <source>Deploy</source>
        <translation>部署</translation>
    </message>
    <message>
        <source>Retire</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Roll back</source>
        <translation>回滚</translation>
    </message>
    <message>
        <source>Promote</source>
        <translation>提升</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>The node&apos;s catalog: every model and its versions through review, publishing and deployment.</source>
        <translation>节点的模型目录：每个模型及其版本的评审、发布与部署。</translation>
    </message>
    <message>
        <source>Model card</source>
        <translation>模型卡片</translation>
    </message>
    <message>
        <source>%1 %2 v%3: job %4 started.</source>
        <translation>%1 %2 v%3：作业 %4 已启动。</translation>
    </message>
    <message>
        <source>No validation report yet: this version has not been validated.</source>
        <translation>尚无验证报告：此版本尚未验证。</translation>
    </message>
    <message>
        <source>Select a version to read its validation report.</source>
        <translation>选择一个版本以查看其验证报告。</translation>
    </message>
    <message>
        <source>Job %1 (%2 %3)</source>
        <translation>作业 %1（%2 %3）</translation>
    </message>
    <message>
        <source>%1 succeeded.</source>
        <translation>%1 已成功。</translation>
    </message>
    <message>
        <source>%1 was cancelled.</source>
        <translation>%1 已取消。</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 失败：%2</translation>
    </message>
    <message>
        <source>Validation report</source>
        <translation>验证报告</translation>
    </message>
    <message>
        <source>Mix into %1: job %2 started.</source>
        <translation>混合到 %1：作业 %2 已启动。</translation>
    </message>
    <message>
        <source>An upload is running.</source>
        <translation>正在上传。</translation>
    </message>
    <message>
        <source>Upload a bundle as the next version of its model.</source>
        <translation>上传提交包，作为其模型的下一个版本。</translation>
    </message>
    <message>
        <source>Mixing needs two published versions.</source>
        <translation>混合需要两个已发布的版本。</translation>
    </message>
    <message>
        <source>Interpolate published versions into a new version.</source>
        <translation>将已发布的版本插值为一个新版本。</translation>
    </message>
    <message>
        <source>Mixing into %1…</source>
        <translation>正在混合到 %1…</translation>
    </message>
    <message>
        <source>Submit…</source>
        <translation>提交…</translation>
    </message>
    <message>
        <source>Mix…</source>
        <translation>混合…</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::OverviewPage</name>
    <message>
        <source>All nodes</source>
        <translation>所有节点</translation>
    </message>
    <message>
        <source>%1 (connected)</source>
        <translation>%1（已连接）</translation>
    </message>
    <message>
        <source>Show the live figures of one node, or of all nodes summed</source>
        <translation>显示单个节点的实时数据，或所有节点的合计</translation>
    </message>
    <message>
        <source>%1 of %2 nodes healthy</source>
        <translation>%2 个节点中 %1 个健康</translation>
    </message>
    <message>
        <source>%1 of %2 nodes ready</source>
        <translation>%2 个节点中 %1 个就绪</translation>
    </message>
    <message>
        <source>no node draining</source>
        <translation>没有节点正在排空</translation>
    </message>
    <message>
        <source>%1 draining</source>
        <translation>%1 个正在排空</translation>
    </message>
    <message>
        <source>Live from %1 of %2 nodes</source>
        <translation>实时数据来自 %2 个节点中的 %1 个</translation>
    </message>
    <message>
        <source>not live: %1</source>
        <translation>未实时：%1</translation>
    </message>
    <message>
        <source>The node this console runs, seen through its HTTP API.</source>
        <translation>本控制台运行的节点，通过其 HTTP API 查看。</translation>
    </message>
    <message>
        <source>The node this console runs, seen through its HTTP API at %1.</source>
        <translation>本控制台运行的节点，通过其 HTTP API（%1）查看。</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <source>OpenAI-compatible endpoint</source>
        <translation>OpenAI 兼容端点</translation>
    </message>
    <message>
        <source>Point any OpenAI SDK or HTTP client at this base URL.</source>
        <translation>将任意 OpenAI SDK 或 HTTP 客户端指向此基础 URL。</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>not ready</source>
        <translation>未就绪</translation>
    </message>
    <message>
        <source>not ready: %1</source>
        <translation>未就绪：%1</translation>
    </message>
    <message>
        <source>draining</source>
        <translation>正在排空</translation>
    </message>
    <message>
        <source>not draining</source>
        <translation>未排空</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>%1 req/s</source>
        <translation>%1 请求/秒</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>Stale — the values below may be out of date</source>
        <translation>已过时 — 下方数值可能不是最新的</translation>
    </message>
    <message>
        <source>Live data unavailable</source>
        <translation>实时数据不可用</translation>
    </message>
    <message>
        <source>The cards above come from HTTP polling until the node serves its ops API (/ops).</source>
        <translation>在节点提供运维 API（/ops）之前，上方卡片来自 HTTP 轮询。</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>健康状态</translation>
    </message>
    <message>
        <source>Readiness</source>
        <translation>就绪状态</translation>
    </message>
    <message>
        <source>Draining</source>
        <translation>排空</translation>
    </message>
    <message>
        <source>Models served</source>
        <translation>提供的模型</translation>
    </message>
    <message>
        <source>QPS</source>
        <translation>QPS</translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation>错误率</translation>
    </message>
    <message>
        <source>p99 latency</source>
        <translation>p99 延迟</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>处理中</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::PlaygroundPage</name>
    <message>
        <source>Playground</source>
        <translation>试验场</translation>
    </message>
    <message>
        <source>Try the models this node serves through its OpenAI-compatible API.</source>
        <translation>通过本节点的 OpenAI 兼容 API 试用它提供的模型。</translation>
    </message>
    <message>
        <source>Try the models this node serves through its OpenAI-compatible API at %1.</source>
        <translation>通过本节点位于 %1 的 OpenAI 兼容 API 试用它提供的模型。</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>no models served</source>
        <translation>没有可用的模型</translation>
    </message>
    <message>
        <source>Reload the list of models (GET /v1/models)</source>
        <translation>重新加载模型列表（GET /v1/models）</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>API</source>
        <translation>API</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>补全</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Completion continues the prompt (POST /v1/completions); Chat sends it as a user message (POST /v1/chat/completions).</source>
        <translation>补全：续写提示词（POST /v1/completions）；对话：把它作为用户消息发送（POST /v1/chat/completions）。</translation>
    </message>
    <message>
        <source>Could not list the node&apos;s models: %1</source>
        <translation>无法获取节点的模型列表：%1</translation>
    </message>
    <message>
        <source>Cannot reach the node (%1).</source>
        <translation>无法连接节点（%1）。</translation>
    </message>
    <message>
        <source>The node did not answer in time (%1).</source>
        <translation>节点未能及时响应（%1）。</translation>
    </message>
    <message>
        <source>The node answered with HTTP %1: %2</source>
        <translation>节点返回 HTTP %1：%2</translation>
    </message>
    <message>
        <source>Unexpected answer from the node: %1</source>
        <translation>节点的响应不符合预期：%1</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Sent as &quot;Authorization: Bearer&quot; with every request. Needed when the node requires API keys (create one with: lmfront keys create). Kept in the console&apos;s settings.</source>
        <translation>随每个请求以 &quot;Authorization: Bearer&quot; 发送。节点要求 API 密钥时需要填写（用 lmfront keys create 创建）。保存在控制台的设置中。</translation>
    </message>
    <message>
        <source>This node needs an API key: enter one in the API key field.</source>
        <translation>此节点需要 API 密钥：请在“API 密钥”栏中填写。</translation>
    </message>
    <message>
        <source>Check the key in the API key field.</source>
        <translation>请检查“API 密钥”栏中的密钥。</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::SamplingParamsForm</name>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>最大词元数</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>0 always picks the most likely token; higher values are more varied.</source>
        <translation>为 0 时总是选择最可能的词元；数值越高，结果越多样。</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Sample only among the k most likely tokens (0 = off).</source>
        <translation>只在最可能的 k 个词元中采样（0 = 关闭）。</translation>
    </message>
    <message>
        <source>Sample only among the most likely tokens whose probabilities add up to p.</source>
        <translation>只在概率累计达到 p 的最可能词元中采样。</translation>
    </message>
    <message>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>The same seed and parameters give the same text, and the node may answer from its cache.</source>
        <translation>相同的种子和参数会生成相同的文本，节点也可能直接从缓存作答。</translation>
    </message>
    <message>
        <source>one per line, \n for a newline</source>
        <translation>每行一个，\n 表示换行</translation>
    </message>
    <message>
        <source>Generation ends at a stop string, at the end of a sentence or after the maximum number of tokens.</source>
        <translation>遇到停止字符串、句子结束或达到最大词元数时，生成结束。</translation>
    </message>
    <message>
        <source>Min-p</source>
        <translation>最小概率 (min-p)</translation>
    </message>
    <message>
        <source>Presence penalty</source>
        <translation>存在惩罚</translation>
    </message>
    <message>
        <source>Frequency penalty</source>
        <translation>频率惩罚</translation>
    </message>
    <message>
        <source>Repetition penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <source>Min tokens</source>
        <translation>最少词元数</translation>
    </message>
    <message>
        <source>Ignore end</source>
        <translation>忽略结束符</translation>
    </message>
    <message>
        <source>drop words less likely than min_p times the most likely one; 0 = off</source>
        <translation>舍弃概率低于最可能词的 min_p 倍的词；0 = 关闭</translation>
    </message>
    <message>
        <source>subtract from the log-probability of every word already in the completion</source>
        <translation>从补全中已出现的每个词的对数概率中减去该值</translation>
    </message>
    <message>
        <source>subtract this times the word&apos;s count so far in the completion from its log-probability</source>
        <translation>从词的对数概率中减去该值乘以它在补全中已出现的次数</translation>
    </message>
    <message>
        <source>multiply the log-probability of words seen in the prompt or completion; &gt; 1 discourages repeats</source>
        <translation>将提示或补全中出现过的词的对数概率乘以该值；&gt; 1 抑制重复</translation>
    </message>
    <message>
        <source>the end of text cannot come before this many words</source>
        <translation>生成这么多个词之前文本不能结束</translation>
    </message>
    <message>
        <source>never end the text by the model&apos;s end of sentence</source>
        <translation>不因模型的句末标记而结束文本</translation>
    </message>
    <message>
        <source>Log-probs</source>
        <translation>对数概率</translation>
    </message>
    <message>
        <source>Show each generated token&apos;s probability and this many likely alternatives (0-5); off sends nothing.</source>
        <translation>显示每个生成词元的概率及这么多个最可能的备选（0-5）；关闭时不发送。</translation>
    </message>
    <message>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <source>Penalties and the other sampling controls the node takes.</source>
        <translation>惩罚项以及节点接受的其他采样控制。</translation>
    </message>
    <message>
        <source>%1
Range: %2; default: %3</source>
        <translation>%1
范围：%2；默认：%3</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::ScoreLegend</name>
    <message>
        <source>likely</source>
        <translation>可能</translation>
    </message>
    <message>
        <source>unlikely</source>
        <translation>不太可能</translation>
    </message>
    <message>
        <source>not in vocabulary</source>
        <translation>未登录词</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::ScorePanel</name>
    <message>
        <source>%1 tokens · perplexity %2 · %3 OOV · log10 P %4</source>
        <translation>%1 个词元 · 困惑度 %2 · %3 个未登录词 · log10 P %4</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Paste a text to see how likely the model finds each token…</source>
        <translation>粘贴一段文本，查看模型认为每个词元的可能性有多大…</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>Each token is coloured by its log10 probability; hover a token for the numbers.</source>
        <translation>每个词元按其 log10 概率着色；将鼠标悬停在词元上可查看数值。</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::ScoreView</name>
    <message>
        <source>token: %1</source>
        <translation>词元：%1</translation>
    </message>
    <message>
        <source>log10 P: %1</source>
        <translation>log10 P：%1</translation>
    </message>
    <message>
        <source>P: %1</source>
        <translation>P：%1</translation>
    </message>
    <message>
        <source>out of vocabulary: the model has never seen this word</source>
        <translation>未登录词：模型从未见过这个词</translation>
    </message>
    <message>
        <source>matched n-gram: %1-gram</source>
        <translation>匹配的 n 元组：%1 元</translation>
    </message>
    <message>
        <source>alternatives:</source>
        <translation>备选：</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::SettingsPage</name>
    <message>
        <source>Applies at next start. If the port is busy, the next free one is used.</source>
        <translation>下次启动时生效。若端口被占用，将使用下一个空闲端口。</translation>
    </message>
    <message>
        <source>Ports below %1 need administrator rights: choose %1–65535. Not saved.</source>
        <translation>低于 %1 的端口需要管理员权限：请选择 %1–65535。未保存。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Local node</source>
        <translation>本地节点</translation>
    </message>
    <message>
        <source>Listen port</source>
        <translation>监听端口</translation>
    </message>
    <message>
        <source>TCP port of the local node on 127.0.0.1</source>
        <translation>本地节点在 127.0.0.1 上的 TCP 端口</translation>
    </message>
    <message>
        <source>The local node is not running.</source>
        <translation>本地节点未运行。</translation>
    </message>
    <message>
        <source>Listening now on %1.</source>
        <translation>当前监听于 %1。</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Applies at once.</source>
        <translation>立即生效。</translation>
    </message>
    <message>
        <source>Settings are stored in %1</source>
        <translation>设置保存在 %1</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::SubmitDialog</name>
    <message>
        <source>Submit a model bundle</source>
        <translation>提交模型包</translation>
    </message>
    <message>
        <source>A bundle is a directory or a .tar.gz with model.json, the model (model.arpa, or a corpus the node trains), and optionally dev.txt for validation and README.md as the model card. The node stores it as the model&apos;s next version and validates it.</source>
        <translation>提交包是一个目录或 .tar.gz，包含 model.json、模型（model.arpa，或由节点训练的语料），以及可选的用于验证的 dev.txt 和作为模型卡片的 README.md。节点将其存为该模型的下一个版本并进行验证。</translation>
    </message>
    <message>
        <source>Path of a bundle directory or .tar.gz</source>
        <translation>提交包目录或 .tar.gz 的路径</translation>
    </message>
    <message>
        <source>Archive…</source>
        <translation>压缩包…</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Bundle archive</source>
        <translation>提交包压缩文件</translation>
    </message>
    <message>
        <source>Bundles (*.tar.gz *.tgz)</source>
        <translation>提交包 (*.tar.gz *.tgz)</translation>
    </message>
    <message>
        <source>Bundle folder</source>
        <translation>提交包文件夹</translation>
    </message>
    <message>
        <source>Pick a bundle directory or a .tar.gz.</source>
        <translation>请选择提交包目录或 .tar.gz。</translation>
    </message>
    <message>
        <source>Nothing at this path.</source>
        <translation>此路径下没有文件。</translation>
    </message>
    <message>
        <source>A directory: it is packed into a .tar.gz, then uploaded.</source>
        <translation>目录：先打包为 .tar.gz，再上传。</translation>
    </message>
    <message>
        <source>A directory without model.json: the node will refuse it.</source>
        <translation>目录中没有 model.json：节点会拒绝它。</translation>
    </message>
    <message>
        <source>Not a bundle: pick a directory or a .tar.gz file.</source>
        <translation>不是提交包：请选择目录或 .tar.gz 文件。</translation>
    </message>
    <message>
        <source>An archive of %1.</source>
        <translation>压缩包，大小 %1。</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::TrafficChart</name>
    <message>
        <source>%1: %2 at %3</source>
        <translation>%1：%3 时为 %2</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::TrafficPage</name>
    <message>
        <source>Requests/s by model</source>
        <translation>各模型每秒请求数</translation>
    </message>
    <message>
        <source>Latency (ms)</source>
        <translation>延迟（毫秒）</translation>
    </message>
    <message>
        <source>Time to first token (ms)</source>
        <translation>首个词元用时（毫秒）</translation>
    </message>
    <message>
        <source>Errors/s by model</source>
        <translation>各模型每秒错误数</translation>
    </message>
    <message>
        <source>Cache hit ratio</source>
        <translation>缓存命中率</translation>
    </message>
    <message>
        <source>Tokens/s by model</source>
        <translation>各模型每秒词元数</translation>
    </message>
    <message>
        <source>Could not load the range: %1</source>
        <translation>无法加载该时间范围：%1</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>All models</source>
        <translation>全部模型</translation>
    </message>
    <message>
        <source>All backends</source>
        <translation>全部后端</translation>
    </message>
    <message>
        <source>Traffic</source>
        <translation>流量</translation>
    </message>
    <message>
        <source>5 minutes</source>
        <translation>5 分钟</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 小时</translation>
    </message>
    <message>
        <source>24 hours</source>
        <translation>24 小时</translation>
    </message>
    <message>
        <source>30 days</source>
        <translation>30 天</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::UploadPanel</name>
    <message>
        <source>Upload of %1 cancelled.</source>
        <translation>%1 的上传已取消。</translation>
    </message>
    <message>
        <source>Packing %1 into a .tar.gz…</source>
        <translation>正在将 %1 打包为 .tar.gz…</translation>
    </message>
    <message>
        <source>Uploading %1: %2 of %3</source>
        <translation>正在上传 %1：%2 / %3</translation>
    </message>
    <message>
        <source>Submitted %1 as %2 v%3; its validation is job %4.</source>
        <translation>已将 %1 提交为 %2 v%3；其验证为作业 %4。</translation>
    </message>
    <message>
        <source>Upload of %1 failed: %2</source>
        <translation>%1 上传失败：%2</translation>
    </message>
    <message>
        <source>Cancel upload</source>
        <translation>取消上传</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续上传</translation>
    </message>
</context>
<context>
    <name>lmfront::widgets::ValidationReportView</name>
    <message>
        <source>Manifest</source>
        <translation>清单</translation>
    </message>
    <message>
        <source>ARPA file</source>
        <translation>ARPA 文件</translation>
    </message>
    <message>
        <source>Special tokens</source>
        <translation>特殊符号</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>阶数</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Normalization</source>
        <translation>归一化</translation>
    </message>
    <message>
        <source>Dev perplexity</source>
        <translation>开发集困惑度</translation>
    </message>
    <message>
        <source>Passed: %1 of %2 checks.</source>
        <translation>通过：%2 项检查中通过 %1 项。</translation>
    </message>
    <message>
        <source>Failed: %1 of %2 checks did not pass.</source>
        <translation>未通过：%2 项检查中有 %1 项未通过。</translation>
    </message>
    <message>
        <source>overflowed (threshold %1)</source>
        <translation>溢出（阈值 %1）</translation>
    </message>
    <message>
        <source>%1, within the threshold of %2</source>
        <translation>%1，未超过阈值 %2</translation>
    </message>
    <message>
        <source>%1, above the threshold of %2</source>
        <translation>%1，超过阈值 %2</translation>
    </message>
    <message>
        <source>Dev set</source>
        <translation>开发集</translation>
    </message>
    <message>
        <source>%1 sentences, %2 tokens, %3 out of vocabulary (%4 %)</source>
        <translation>%1 个句子，%2 个词元，%3 个未登录词（%4 %）</translation>
    </message>
    <message>
        <source>not measured: the bundle has no dev.txt</source>
        <translation>未测量：提交包中没有 dev.txt</translation>
    </message>
    <message>
        <source>N-grams per order</source>
        <translation>各阶 n 元组数</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表</translation>
    </message>
    <message>
        <source>present</source>
        <translation>存在</translation>
    </message>
    <message>
        <source>synthesized</source>
        <translation>合成</translation>
    </message>
    <message>
        <source>%1 of %2 contexts checked%3, %4 off by more than %5; the worst by %6 (%7)</source>
        <translation>已检查 %2 个上下文中的 %1 个%3，%4 个偏差超过 %5；最大偏差 %6（%7）</translation>
    </message>
    <message>
        <source> (a sample)</source>
        <translation>（抽样）</translation>
    </message>
    <message>
        <source>the unigrams</source>
        <translation>一元组</translation>
    </message>
</context>
</TS>
