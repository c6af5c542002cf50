<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ConsoleMain</name>
    <message>
        <source>lmfront console</source>
        <translation>lmfront 控制台</translation>
    </message>
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
</context>
<context>
    <name>lmfront::widgets::OverviewPage</name>
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
</TS>
