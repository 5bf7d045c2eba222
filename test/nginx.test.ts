import { find, synth } from './support';

describe('NGINX proxy', () => {
  const kind = synth('kind');
  const conf = find(kind, 'ConfigMap', 'mcp-stack-nginx').data['nginx.conf'];

  test('listens unprivileged on 8080 and forwards to the gateway Service with keepalive', () => {
    expect(conf).toContain('listen 8080;');
    expect(conf).toMatch(/upstream gateway \{\n\s+server mcp-stack-gateway\.mcp-stack\.svc\.cluster\.local:80;\n\s+keepalive 32;/);
    const c = find(kind, 'Deployment', 'mcp-stack-nginx').spec.template.spec.containers[0];
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080 }]);
    expect(find(kind, 'Service', 'mcp-stack-nginx').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
  });

  test("streams every MCP transport path the gateway serves without buffering and with long timeouts", () => {
    const stream = /\n( +)location ~ (\S+) \{([\s\S]*?)\n\1\}/.exec(conf);
    expect(stream).not.toBeNull();
    const body = stream![3];
    for (const d of ['proxy_buffering off;', 'proxy_request_buffering off;', 'proxy_cache off;', 'add_header X-Accel-Buffering no;', 'proxy_read_timeout 1h;', 'proxy_send_timeout 1h;']) {
      expect(body).toContain(d);
    }
    // The location's own pattern (PCRE; this one means the same in JavaScript). The real-stack tier sends the
    // gateway's own SSE routes through a real NGINX.
    const re = new RegExp(stream![2]);
    const id = '9779b6698cbd4b4995ee04a4fab38737';
    const streams = ['/mcp', '/mcp/', `/servers/${id}/mcp`, `/servers/${id}/mcp/`, '/sse', `/v1/servers/${id}/sse`];
    expect(streams.filter((p) => !re.test(p))).toEqual([]);
    const plain = ['/servers', `/servers/${id}`, '/servers/a/b/mcp', '/mcpx', '/v1/servers', `/v1/servers/${id}/mcp`, `/v1/servers/${id}/tools`, '/v1/sse', `/servers/${id}/sse`];
    expect(plain.filter((p) => re.test(p))).toEqual([]);
  });

  test('limits sign-in attempts per client address: ten at once, then one every six seconds, refused with 429', () => {
    expect(conf).toMatch(/\n\s+limit_req_zone \$binary_remote_addr zone=signin:1m rate=10r\/m;\n/);
    const signIn = /\n( +)location ~ (\^\/v1\/auth\S+) \{([\s\S]*?)\n\1\}/.exec(conf);
    expect(signIn).not.toBeNull();
    expect(signIn![3]).toMatch(/limit_req zone=signin burst=9 nodelay;\n\s+limit_req_status 429;\n\s+proxy_pass http:\/\/gateway;/);
    // The location's own pattern; the real-stack tier sends sign-ins through a real NGINX to the real gateway.
    const re = new RegExp(signIn![2]);
    const limited = ['/v1/auth/email/login', '/v1/auth/email/register', '/v1/auth/email/forgot-password', '/v1/auth/email/reset-password', '/v1/auth/sso', '/v1/auth/sso/login/github', '/v1/auth/sso/callback/okta'];
    expect(limited.filter((p) => !re.test(p))).toEqual([]);
    const free = ['/v1/auth/email/me', '/v1/auth/email/login/x', '/v1/auth/ssox', '/v1/tools', '/auth/email/login', '/health'];
    expect(free.filter((p) => re.test(p))).toEqual([]);
  });

  test('answers /health itself and caches no response (no shared cache of authenticated replies)', () => {
    expect(conf).toMatch(/location = \/health \{[\s\S]*?return 200/);
    expect(conf).not.toMatch(/proxy_cache_path|proxy_cache mcp|proxy_cache_valid/);
  });

  test('hands the gateway only the client address the proxy in front recorded, never the entries a client wrote', () => {
    // realip: the last X-Forwarded-For entry (the one the Ingress controller or Route appended) becomes $remote_addr.
    expect(conf).toMatch(/set_real_ip_from 0\.0\.0\.0\/0;\n\s+set_real_ip_from ::\/0;\n\s+real_ip_header X-Forwarded-For;/);
    expect(conf).not.toContain('real_ip_recursive on');
    const forwarded = conf.split('\n').filter((l: string) => l.includes('X-Forwarded-For') && l.includes('proxy_set_header'));
    // One per location that proxies.
    expect(forwarded.length).toBe(conf.split('proxy_pass http://gateway;').length - 1);
    expect(forwarded.length).toBe(3);
    expect(forwarded.every((l: string) => l.trim() === 'proxy_set_header X-Forwarded-For $remote_addr;')).toBe(true);
    expect(conf).not.toContain('$proxy_add_x_forwarded_for');
  });

  test('worker_connections comes from the values', () => {
    expect(find(synth('kind', ['nginx.workerConnections=2048']), 'ConfigMap', 'mcp-stack-nginx').data['nginx.conf']).toContain('worker_connections 2048;');
  });

  test('writes only to /tmp: the root filesystem stays read-only', () => {
    for (const d of ['pid /tmp/nginx.pid;', 'client_body_temp_path /tmp/', 'proxy_temp_path /tmp/']) expect(conf).toContain(d);
    const spec = find(kind, 'Deployment', 'mcp-stack-nginx').spec.template.spec;
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(spec.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
  });

  test('on ocp: a TLS listener on 8443 with the service-CA serving certificate', () => {
    const ocp = synth('ocp');
    const ocpConf = find(ocp, 'ConfigMap', 'mcp-stack-nginx').data['nginx.conf'];
    expect(ocpConf).toContain('listen 8443 ssl;');
    expect(ocpConf).toContain('ssl_certificate /etc/nginx/tls/tls.crt;');
    const spec = find(ocp, 'Deployment', 'mcp-stack-nginx').spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'mcp-stack-nginx-tls' } });
    expect(spec.containers[0].ports).toContainEqual({ name: 'https', containerPort: 8443 });
  });

  test('without NGINX the Ingress goes straight to the gateway', () => {
    const o = synth('kind', ['nginx.enabled=false']);
    expect(o.some((x) => x.metadata.name === 'mcp-stack-nginx')).toBe(false);
    expect(find(o, 'Ingress', 'mcp-stack-gateway').spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'mcp-stack-gateway', port: { number: 80 } });
  });
});
