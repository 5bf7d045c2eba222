/**
 * nginx.conf: a pure function of the NGINX settings and the upstream address, in a module of its own as the gateway's
 * settings are (`gateway-config.ts`). The construct renders the file, and the revision that salts its pods' checksum
 * (`nginxConfigRevision`), through this one export.
 */
import type { Values } from '../../profiles/schema';

export const NGINX_HTTP_PORT = 8080;
export const NGINX_HTTPS_PORT = 8443;
/** The one writable folder (an emptyDir): the pid file and every temp path live under it. */
export const WRITABLE_DIR = '/tmp';

/**
 * Sign-in attempts a client address may make a minute, all at once or spread out (NGINX counts per pod): the gateway's
 * default for its CRITICAL tier (RATE_LIMIT_CRITICAL_RPM), whose own patterns miss the /v1 paths this stack serves.
 */
const SIGN_IN_PER_MINUTE = 10;
/** The gateway's sign-in, registration and password reset endpoints, and its SSO flows, under /v1. */
const SIGN_IN_PATHS = '^/v1/auth/(email/(login|register|forgot-password|reset-password)|sso(/.*)?)$';

/** The whole nginx.conf. Temp files go to the writable emptyDir (the root filesystem is read-only). */
export function nginxConf(n: Pick<Values['nginx'], 'tls' | 'workerConnections' | 'clientMaxBodySize' | 'upstreamKeepalive'>, upstream: string): string {
  // Every location that hands a request to the gateway: keepalive to the upstream, and what the client asked for.
  const toGateway = [
    'proxy_pass http://gateway;',
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
    'proxy_set_header Host $host;',
    'proxy_set_header X-Real-IP $remote_addr;',
    'proxy_set_header X-Forwarded-For $remote_addr;',
    'proxy_set_header X-Forwarded-Proto $forwarded_proto;',
    'proxy_set_header X-Forwarded-Host $forwarded_host;',
  ];
  const indent = (lines: string[], depth: number) => lines.map((l) => `${'  '.repeat(depth)}${l}`);
  const listen = [`listen ${NGINX_HTTP_PORT};`];
  if (n.tls) {
    listen.push(
      `listen ${NGINX_HTTPS_PORT} ssl;`,
      'ssl_certificate /etc/nginx/tls/tls.crt;',
      'ssl_certificate_key /etc/nginx/tls/tls.key;',
      'ssl_protocols TLSv1.2 TLSv1.3;',
      'ssl_ciphers HIGH:!aNULL:!MD5;',
    );
  }
  return [
    'worker_processes auto;',
    `pid ${WRITABLE_DIR}/nginx.pid;`,
    'error_log /dev/stderr warn;',
    '',
    'events {',
    `  worker_connections ${n.workerConnections};`,
    '}',
    '',
    'http {',
    ...indent(
      [
        'access_log /dev/stdout;',
        `client_body_temp_path ${WRITABLE_DIR}/client_temp;`,
        `proxy_temp_path ${WRITABLE_DIR}/proxy_temp;`,
        `fastcgi_temp_path ${WRITABLE_DIR}/fastcgi_temp;`,
        `uwsgi_temp_path ${WRITABLE_DIR}/uwsgi_temp;`,
        `scgi_temp_path ${WRITABLE_DIR}/scgi_temp;`,
        'sendfile on;',
        'keepalive_timeout 65;',
        'server_tokens off;',
        `client_max_body_size ${n.clientMaxBodySize};`,
        '',
        '# The client is the address the proxy in front (Ingress controller, Route) recorded last in',
        '# X-Forwarded-For, and only that address goes on to the gateway, which counts its per-client rate',
        '# limits on the first entry it receives: an entry a client wrote itself would open a new count.',
        'set_real_ip_from 0.0.0.0/0;',
        'set_real_ip_from ::/0;',
        'real_ip_header X-Forwarded-For;',
        '',
        '# Sign-in attempts per client address, as the gateway\'s own CRITICAL tier would count them: its patterns name',
        '# only the unversioned paths, which this stack turns off, so the /v1 ones fall to its default tier.',
        `limit_req_zone $binary_remote_addr zone=signin:1m rate=${SIGN_IN_PER_MINUTE}r/m;`,
        '',
        '# Keep what an outer proxy (router, ingress) says about the original request.',
        'map $http_x_forwarded_proto $forwarded_proto {',
        '  default $http_x_forwarded_proto;',
        '  "" $scheme;',
        '}',
        'map $http_x_forwarded_host $forwarded_host {',
        '  default $http_x_forwarded_host;',
        '  "" $http_host;',
        '}',
        '',
        'upstream gateway {',
        `  server ${upstream};`,
        `  keepalive ${n.upstreamKeepalive};`,
        '}',
        '',
        'server {',
        ...indent(listen, 1),
        '',
        '  location = /health {',
        '    access_log off;',
        '    default_type text/plain;',
        '    return 200 "ok\\n";',
        '  }',
        '',
        '  # MCP streamable HTTP and SSE: no buffering, long-lived streams. A virtual server streams SSE under /v1',
        '  # (the unversioned API is off) and streamable HTTP unversioned.',
        '  location ~ ^/(mcp|sse|servers/[^/]+/mcp|v1/servers/[^/]+/sse)/?$ {',
        ...indent(toGateway, 2),
        '    proxy_buffering off;',
        '    proxy_request_buffering off;',
        '    proxy_cache off;',
        '    add_header X-Accel-Buffering no;',
        '    proxy_connect_timeout 30s;',
        '    proxy_read_timeout 1h;',
        '    proxy_send_timeout 1h;',
        '    send_timeout 1h;',
        '  }',
        '',
        `  location ~ ${SIGN_IN_PATHS} {`,
        `    limit_req zone=signin burst=${SIGN_IN_PER_MINUTE - 1} nodelay;`,
        '    limit_req_status 429;',
        ...indent(toGateway, 2),
        '  }',
        '',
        '  location / {',
        ...indent(toGateway, 2),
        '    proxy_connect_timeout 30s;',
        '    proxy_read_timeout 300s;',
        '    proxy_send_timeout 300s;',
        '    send_timeout 300s;',
        '  }',
        '}',
      ],
      1,
    ),
    '}',
    '',
  ].join('\n');
}
