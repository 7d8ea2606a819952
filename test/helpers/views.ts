import fs from 'node:fs';
import path from 'node:path';

const VIEWS = path.join(__dirname, '..', '..', 'views');

function templates(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return templates(full);
    return e.name.endsWith('.hbs') ? [full] : [];
  });
}

/** Every Handlebars template of views/, named as the views name it (`pacts/list.hbs`). */
export function viewTemplates(): { name: string; text: string }[] {
  return templates(VIEWS).map((file) => ({
    name: path.relative(VIEWS, file).split(path.sep).join('/'),
    text: fs.readFileSync(file, 'utf8'),
  }));
}
