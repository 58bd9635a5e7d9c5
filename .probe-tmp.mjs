import amqp from 'amqplib';
import { execFileSync } from 'node:child_process';
const c = await amqp.connect('amqp://guest:guest@127.0.0.1:5672', { clientProperties: { connection_name: 'probe-xyz' } });
c.on('error', e => console.log('conn error', e.message));
c.on('close', e => console.log('conn close', e?.message));
const rows = JSON.parse(execFileSync('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '--formatter', 'json', '--quiet']).toString());
const row = rows.find(r => r.client_properties.some(([k,,v]) => k === 'connection_name' && v === 'probe-xyz'));
for (const pid of [row.pid, row.pid.replace(/^#PID/, '')]) {
  try { console.log(pid, execFileSync('rabbitmqctl', ['close_connection', pid, 'test']).toString()); break; } catch (e) { console.log('fail', pid, e.stderr?.toString().slice(0,300)); }
}
await new Promise(r => setTimeout(r, 500));
